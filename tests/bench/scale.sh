#!/usr/bin/env bash
# scale.sh - issue 19's scale table: Sealgate's CPU per message and peak RSS against message size (1 KiB, 10 KiB,
# 100 KiB, 1 MiB at 20 sessions) and concurrent sessions (20, 200, 1000 at 10 KiB, spread over loopback addresses
# 127.0.0.1, .2, ... at most 50 sessions each, as the per-IP cap is 100), and `250` latency p50/p99 at half the
# maximum rate (20 sessions, 10 KiB). Each row is a fresh gateway (so its VmHWM is that row's peak) relaying to the
# sg-load sink (plaintext both legs, fsync on, DKIM as lib.sh's DKIM). Figures only; goals: RSS <= 150 MB at 1000
# sessions, p99 <= 20 ms at half rate.
#
# usage: tests/bench/scale.sh   env [defaults]: RUNS [1] SINK_PORT [10026] DKIM [none] SCALE_MSGS ["" = per row
#        below], ROWS ["" = all; else SIZExSESSIONS words, e.g. ROWS=10240x1000 for the 1,000-session row only],
#        and lib.sh's (SEALGATE_BIN, WORK, KEEP_WORK, LOAD_BIN)
# After each row, the gateway's memory by kind of mapping (rss-map.py: thread stacks, malloc arenas, ...) and its
# thread count are printed to stderr and kept in WORK/scale-SIZE-SESSIONS.mem.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-1} SINK_PORT=${SINK_PORT:-10026}
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate
build_load
ulimit -n 16384   # 1000 client sockets + the sink's + the gateway's, all in this process tree
# The tenant is the whole loopback /8 (several source addresses).
export TENANT_TOML=$'[tenants.bench]\nnetworks = ["127.0.0.0/8"]\nsender_domains = ["bench.test"]'

# row SIZE SESSIONS MSGS [extra sg-load args]
row() {
    local size=$1 sessions=$2 msgs=${SCALE_MSGS:-$3}; shift 3
    if [ -n "${ROWS:-}" ] && [[ " $ROWS " != *" ${size}x$sessions "* ]]; then return 0; fi
    local sources=$(( (sessions + 49) / 50 ))
    start_sealgate "$WORK/sealgate-scale" "127.0.0.1:$SINK_PORT" 5s
    "$LOAD_BIN" --target "$SG_ADDR" --pid "$SG_PID" --sink "127.0.0.1:$SINK_PORT" --sessions "$sessions" \
        --sources "$sources" --msgs "$msgs" --size "$size" --runs "$RUNS" --label "scale $size B x $sessions" "$@" |
        tee "$WORK/scale-$size-$sessions.txt" >&2
    { grep -E '^(VmHWM|VmRSS|Threads):' "/proc/$SG_PID/status" | tr -s ' \t' ' '
      python3 "$BENCH_DIR/rss-map.py" "$SG_PID"; } > "$WORK/scale-$size-$sessions.mem" 2>&1 || true
    sed 's/^/  mem: /' "$WORK/scale-$size-$sessions.mem" >&2
    stop_sealgate
    local m; m=$(grep ' median: ' "$WORK/scale-$size-$sessions.txt")
    printf '| %7s | %5s | %6s | %7s | %6s | %6s | %5s |\n' "$size" "$sessions" \
        "$(sed -n 's/.*delivered \([0-9]*\) msg.*/\1/p' <<<"$m")" "$(sed -n 's/.*CPU \([0-9.]*\) ms.*/\1/p' <<<"$m")" \
        "$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' <<<"$m")" "$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$m")" \
        "$((SG_RSS_KIB / 1024))" >> "$WORK/scale-table.txt"
    grep 'latency at half rate' "$WORK/scale-$size-$sessions.txt" >> "$WORK/scale-latency.txt" || true
}
: > "$WORK/scale-table.txt"; : > "$WORK/scale-latency.txt"
row 1024 20 5000
row 10240 20 5000 --half-rate
row 102400 20 1500
row 1048576 20 200
row 10240 200 5000
row 10240 1000 5000
echo "# scale, DKIM ${DKIM:-none}, $RUNS run(s) per row (medians), fsync on; p50/p99 = 250 latency at saturation"
echo "|    size | sess. |  msg/s | CPU ms/msg |    p50 |    p99 | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"
cat "$WORK/scale-table.txt"
cat "$WORK/scale-latency.txt"
