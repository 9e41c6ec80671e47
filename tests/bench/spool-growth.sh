#!/usr/bin/env bash
# spool-growth.sh - issue 19: does queue.redb grow without bound when bodies live in it? One gateway relays
# STEPS x MSGS messages (default 4 x 5,000 x 10 KiB, 20 sessions, DKIM RSA) to the sg-load sink; after each step
# it prints the size of queue.redb and of the body directory. Finished messages keep their records and events
# (audit, ~2 KB each), so the file grows by those; the bodies' pages must be reused.
#
# usage: [SEALGATE_BIN=path] [STEPS=4] [MSGS=5000] [SIZE=10240] [SESSIONS=20] tests/bench/spool-growth.sh
#   env: SINK_PORT [10027], lib.sh's (WORK, KEEP_WORK, LOAD_BIN)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
STEPS=${STEPS:-4} MSGS=${MSGS:-5000} SIZE=${SIZE:-10240} SESSIONS=${SESSIONS:-20} SINK_PORT=${SINK_PORT:-10027}
export DKIM=${DKIM:-rsa}
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate
build_load
start_sealgate "$WORK/gw" "127.0.0.1:$SINK_PORT" 5s
data=$WORK/gw/data
echo "# $(basename "$SEALGATE_BIN"): $STEPS x $MSGS x $SIZE B, $SESSIONS sessions, DKIM $DKIM"
echo "# messages  queue.redb-bytes  bodies-dir-bytes  delivered-msg/s"
for step in $(seq "$STEPS"); do
    out=$("$LOAD_BIN" --target "$SG_ADDR" --pid "$SG_PID" --sink "127.0.0.1:$SINK_PORT" --sessions "$SESSIONS" \
        --msgs "$MSGS" --size "$SIZE" --per-conn 1 --runs 1 --label "step $step")
    rate=$(echo "$out" | grep -oE 'delivered [0-9.]+' | head -1 | cut -d' ' -f2)
    printf '%10d  %16d  %16d  %s\n' "$((step * MSGS))" "$(stat -c %s "$data/spool/queue.redb" 2>/dev/null \
        || stat -c %s "$(find "$data" -name queue.redb | head -1)")" \
        "$(du -sb "$(dirname "$(find "$data" -name queue.redb | head -1)")/bodies" | cut -f1)" "$rate"
done
