#!/usr/bin/env bash
# profile.sh - issue 19: where Sealgate's CPU goes, per message. A release gateway relays MSGS x SIZE from sg-load
# (SESSIONS sessions, plaintext both legs unless TLS=1) to the sg-load sink, three times:
#   1. plain run: CPU ms/msg of the gateway process (/proc utime+stime), the figure to compare commits by
#   2. under `strace -c -f`: syscalls per message by kind (strace slows the process; only the counts are meant)
#   3. under `perf record --call-graph dwarf`: the report, flat (self time by symbol) and by stage (inclusive time
#      of the pipeline's entry points), in $WORK/perf-*.txt, printed in short
# Needs linux-perf and strace (Debian: apt-get install linux-perf strace).
#
# usage: tests/bench/profile.sh   env [defaults]: MSGS [5000] SIZE [10240] SESSIONS [20] PER_CONN [1] TLS [0]
#        DKIM [rsa] PERF_FREQ [499] SINK_PORT [10026], lib.sh's (SEALGATE_BIN, WORK, KEEP_WORK, LOAD_BIN)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MSGS=${MSGS:-5000} SIZE=${SIZE:-10240} SESSIONS=${SESSIONS:-20} PER_CONN=${PER_CONN:-1}
export DKIM=${DKIM:-rsa}
SINK_PORT=${SINK_PORT:-10026}
command -v perf >/dev/null && command -v strace >/dev/null || die "needs perf and strace (apt-get install linux-perf strace)"
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate
build_load
tls=(); [ "${TLS:-0}" = 1 ] && tls=(--tls)
extra=
[ "${TLS:-0}" = 1 ] && extra=$'[smtp.tls]'
SMTP_EXTRA_TOML=$extra start_sealgate "$WORK/sealgate-profile" "127.0.0.1:$SINK_PORT" 5s
load() { "$LOAD_BIN" --target "$SG_ADDR" --pid "$SG_PID" --sink "127.0.0.1:$SINK_PORT" --sessions "$SESSIONS" \
         --msgs "$MSGS" --size "$SIZE" --per-conn "$PER_CONN" --runs "$1" "${tls[@]}" --label "$2"; }

load 3 "plain" | tee "$WORK/profile-plain.txt"

strace -c -f -p "$SG_PID" -o "$WORK/strace.txt" & st=$!
sleep 1   # strace needs a moment to attach to every thread; the run below is what it counts
load 1 "under strace" > /dev/null
kill -INT "$st"; wait "$st" || true
echo "# syscalls per message (strace -c -f, $MSGS messages)"
awk -v n="$MSGS" '$1 ~ /^[0-9.]+$/ && NF >= 5 { calls = $4; name = $NF; if (calls / n >= 0.05) printf "%8.2f  %s\n", calls / n, name }' \
    "$WORK/strace.txt" | sort -rn | head -25

perf record -F "${PERF_FREQ:-499}" --call-graph dwarf,16384 -p "$SG_PID" -o "$WORK/perf.data" 2> "$WORK/perf-record.log" & pr=$!
sleep 1
load 1 "under perf" > /dev/null
kill -INT "$pr"; wait "$pr" || true
perf report -i "$WORK/perf.data" --no-inline --no-children --sort sym --percent-limit 0.7 --stdio 2>/dev/null |
    grep -v '^$' > "$WORK/perf-flat.txt" || true
perf report -i "$WORK/perf.data" --no-inline --children --sort sym --stdio -g none 2>/dev/null |
    grep -v '^$' > "$WORK/perf-children.txt" || true
echo "# perf: self time by symbol (top 30)"
grep -E '^ +[0-9]' "$WORK/perf-flat.txt" | head -30
echo "# perf: inclusive time of pipeline pieces"
grep -E 'sealgate_(accept|commit|sign|deliver|rules|transform|core)|redb::|rules::|mail_auth|aws_lc|rustls|tracing|malloc|free|sync_all|fsync' \
    "$WORK/perf-children.txt" | grep -E '^ +[0-9]' | head -60
stop_sealgate
[ "${KEEP_WORK}" = 1 ] && log "perf data in $WORK/perf.data"
