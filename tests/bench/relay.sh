#!/usr/bin/env bash
# relay.sh - issue 3's end-to-end relay benchmark: sealgate relaying to Postfix's smtp-sink on 127.0.0.1:$SINK_PORT
# through a static route, vs Postfix as a relay (../shared/bench/bench-postfix.sh, which also measures the rig's
# ceiling: client -> sink directly), in the same sitting, 3 runs each, medians; peak RSS of sealgate.
#
#   smtp-source --SMTP--> relay (queue on disk, fsync'd) --SMTP--> smtp-sink 127.0.0.1:$SINK_PORT
#
# Both are measured by ../shared/bench/bench-relay.sh: "accepted" = client wall time, "delivered" = until the sink
# counted every message. Not run by CI; run it on an otherwise idle machine.
#
# usage: tests/bench/relay.sh     env [defaults]: SESSIONS [20] MSGS [10000] SIZE [10240] RUNS [3]
#        PF_PORT [10025] SINK_PORT [10026], and those of lib.sh (SHARED_BENCH, SEALGATE_BIN, WORK, KEEP_WORK,
#        DKIM [none] = rsa | ed25519: sealgate signs every copy with a bench.test key; Postfix does not sign)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export SESSIONS=${SESSIONS:-20} MSGS=${MSGS:-10000} SIZE=${SIZE:-10240} RUNS=${RUNS:-3}
PF_PORT=${PF_PORT:-10025}
SINK_PORT=${SINK_PORT:-10026}
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate

# --- Postfix relay: the shared script end to end (install, configure, start, measure, stop).
BASE=$WORK/postfix-relay RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" all |
    tee "$WORK/relay-postfix.txt"

# --- Sealgate relay: every domain statically routed to the sink bench-relay.sh starts for each run.
start_sealgate "$WORK/sealgate-relay" "127.0.0.1:$SINK_PORT" 5s
RELAY=$SG_ADDR SINK_PORT=$SINK_PORT DIRECT=0 LABEL="sealgate relay (static route to smtp-sink)" \
    RELAY_PIDS_CMD="echo $SG_PID" POSTRUN_CMD="echo still queued: \$(find $SG_DIR/data/bodies -name '*.body' | wc -l)" \
    shared "$SHARED_BENCH/bench-relay.sh" | tee "$WORK/relay-sealgate.txt"
stop_sealgate

for k in "relay accepted" "relay delivered" "relay CPU"; do
    printf '%-16s postfix %-8s sealgate %-8s\n' "${k#relay }" \
        "$(median_of "$WORK/relay-postfix.txt" "$k")" "$(median_of "$WORK/relay-sealgate.txt" "$k")"
done | sed '1i # relay, medians of '"$RUNS"' runs (msg/s; CPU in ms/msg), '"$SESSIONS sessions, $MSGS x $SIZE-byte messages"
pf_d=$(median_of "$WORK/relay-postfix.txt" "relay delivered")
sg_d=$(median_of "$WORK/relay-sealgate.txt" "relay delivered")
echo "ratio sealgate/postfix (delivered) $(echo "$sg_d / $pf_d" | bc -l | xargs printf %.2f)x; sealgate peak RSS $((SG_RSS_KIB / 1024)) MiB"
