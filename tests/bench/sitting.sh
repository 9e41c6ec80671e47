#!/usr/bin/env bash
# sitting.sh - issue 19's whole sitting in one go, every figure its acceptance asks for, on one build:
#   1. relay.sh DKIM=rsa      end to end with the default rules, DKIM RSA-2048 and fsync, vs Postfix (3 runs, medians)
#   2. relay.sh DKIM=ed25519  the same with Ed25519
#   3. tls.sh                 STARTTLS on both legs vs Postfix configured the same way (reuse on), with the rig ceiling
#   4. scale.sh               CPU/RSS against size and sessions, 250 latency p50/p99 at half the maximum rate
# Sizes are trimmed so the whole sitting should take 10-15 minutes on the 2-core machine (estimated from the rates
# below; checked end to end only at reduced sizes: RELAY_MSGS=300 TLS_MSGS=200 RUNS=1 SCALE_MSGS=200 took 1.6 min): relay.sh MSGS 5000
# (its own default is 10000), tls.sh MSGS 3000, scale.sh one run per row. Override with RELAY_MSGS, TLS_MSGS,
# SCALE_RUNS; RUNS [3] for the ratios. The sealgate binary is built once and copied (SEALGATE_BIN), as is sg-load.
# Output: every script's own lines on stderr/in $OUT, then the summary block on stdout.
#
# usage: tests/bench/sitting.sh      env: OUT [${TMPDIR:-/tmp}/sealgate-sitting-<time>] (kept), lib.sh's
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
OUT=${OUT:-${TMPDIR:-/tmp}/sealgate-sitting-$(date +%Y%m%dT%H%M%S)}
mkdir -p "$OUT" "$WORK"
trap cleanup_work EXIT
start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
build_sealgate
build_load
# The copies must outlive each script's own WORK cleanup.
cp "$SEALGATE_BIN" "$OUT/sealgate"; cp "$LOAD_BIN" "$OUT/sg-load"
export SEALGATE_BIN=$OUT/sealgate LOAD_BIN=$OUT/sg-load RUNS=${RUNS:-3}
commit=$(cd "$REPO" && git log -1 --format='%h %s' | cut -c1-72)
dirty=$(cd "$REPO" && git diff --quiet HEAD -- . || echo ' (plus uncommitted changes)')

step() { local name=$1; shift; log "== $name"; "$@" > "$OUT/$name.txt"; }
step relay-rsa     env DKIM=rsa     MSGS=${RELAY_MSGS:-5000} WORK="$WORK/r1" "$HERE/relay.sh"
step relay-ed25519 env DKIM=ed25519 MSGS=${RELAY_MSGS:-5000} WORK="$WORK/r2" "$HERE/relay.sh"
step tls           env DKIM=rsa     MSGS=${TLS_MSGS:-3000}   WORK="$WORK/t"  "$HERE/tls.sh"
step scale         env DKIM=rsa     RUNS=${SCALE_RUNS:-1}    WORK="$WORK/s"  "$HERE/scale.sh"

echo "# issue 19 sitting: $commit$dirty, $(date -u +%FT%TZ), $(nproc) CPUs, load before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## end to end, default rules + fsync, 20 sessions, ${RELAY_MSGS:-5000} x 10 KiB, medians of $RUNS runs"
for k in rsa ed25519; do echo "### DKIM=$k"; grep -E '^(accepted|delivered|CPU|ratio) ' "$OUT/relay-$k.txt"; done
echo "## STARTTLS both legs (DKIM rsa), ${TLS_MSGS:-3000} x 10 KiB"
tail -2 "$OUT/tls.txt"
echo "## scale (DKIM rsa)"
sed -n '/^# scale/,$p' "$OUT/scale.txt"
rm -f "$OUT/sealgate" "$OUT/sg-load"   # ~200 MB of binaries; the commit line above names what was measured
echo "# took $(( ($(date +%s) - start) / 60 )) min; all output in $OUT"
