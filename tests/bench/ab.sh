#!/usr/bin/env bash
# ab.sh - issue 19: two gateway binaries compared by CPU ms/msg and syscalls/msg, alternated in the same minutes.
# On a shared, busy machine msg/s moves by ±25 % between runs while the gateway's CPU per message moves by ±5 %;
# alternating A and B (a fresh gateway each time, ROUNDS times) and comparing medians of CPU ms/msg is how a change
# is judged. After the rounds, one more run of each under `strace -c -f` gives syscalls per message by kind.
#
# usage: A=path/to/sealgate B=path/to/other/sealgate tests/bench/ab.sh
#   env [defaults]: ROUNDS [3] MSGS [3000] WARMUP [500] SIZE [10240] SESSIONS [20] PER_CONN [1] DKIM [rsa]
#                   STRACE [1] SINK_PORT [10026], lib.sh's (WORK, KEEP_WORK, LOAD_BIN)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3} MSGS=${MSGS:-3000} WARMUP=${WARMUP:-500} SIZE=${SIZE:-10240} SESSIONS=${SESSIONS:-20}
PER_CONN=${PER_CONN:-1} SINK_PORT=${SINK_PORT:-10026}
export DKIM=${DKIM:-rsa}
[ -x "${A:-}" ] && [ -x "${B:-}" ] || die "A and B must name two sealgate binaries"
mkdir -p "$WORK"
cp "$A" "$WORK/sealgate-A"; cp "$B" "$WORK/sealgate-B"
trap cleanup_work EXIT
build_load

load() { # MSGS LABEL: one run against the running gateway
    "$LOAD_BIN" --target "$SG_ADDR" --pid "$SG_PID" --sink "127.0.0.1:$SINK_PORT" --sessions "$SESSIONS" \
        --msgs "$1" --size "$SIZE" --per-conn "$PER_CONN" --runs 1 --label "$2"
}

# one X: a fresh gateway from binary X, a warm-up, one measured run; appends "X cpu msg/s rss" to $WORK/ab.txt
one() {
    SEALGATE_BIN=$WORK/sealgate-$1 start_sealgate "$WORK/gw-$1" "127.0.0.1:$SINK_PORT" 5s
    [ "$WARMUP" -gt 0 ] && load "$WARMUP" "warm-up" > /dev/null
    load "$MSGS" "$1" | tee "$WORK/run-$1.txt" | grep -E '^  run' | sed "s/^/  $1 /" >&2
    stop_sealgate
    awk -v x="$1" -v rss="$((SG_RSS_KIB / 1024))" '/^  run 1:/ {
            match($0, /CPU [0-9.]+/); cpu = substr($0, RSTART + 4, RLENGTH - 4)
            match($0, /delivered [0-9.]+/); rate = substr($0, RSTART + 10, RLENGTH - 10)
            print x, cpu, rate, rss }' "$WORK/run-$1.txt" >> "$WORK/ab.txt"
}

: > "$WORK/ab.txt"
for r in $(seq "$ROUNDS"); do
    log "round $r of $ROUNDS"
    if [ $((r % 2)) = 1 ]; then one A; one B; else one B; one A; fi
done

# strace X: syscalls per message of binary X (a warm gateway, one run under strace -c -f)
strace_one() {
    SEALGATE_BIN=$WORK/sealgate-$1 start_sealgate "$WORK/gw-$1" "127.0.0.1:$SINK_PORT" 5s
    [ "$WARMUP" -gt 0 ] && load "$WARMUP" "warm-up" > /dev/null
    strace -c -f -p "$SG_PID" -o "$WORK/strace-$1.txt" & local st=$!
    sleep 1   # strace needs a moment to attach to every thread
    load "$MSGS" "$1 under strace" > /dev/null
    kill -INT "$st"; wait "$st" || true
    stop_sealgate
}
if [ "${STRACE:-1}" = 1 ] && command -v strace >/dev/null; then
    strace_one A; strace_one B
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "# A = $A"
echo "# B = $B"
echo "# $ROUNDS rounds, $MSGS x $SIZE B, $SESSIONS sessions, $PER_CONN per connection, DKIM $DKIM; load $(cut -d' ' -f1-3 /proc/loadavg)"
for x in A B; do
    printf '%s: CPU ms/msg %s (median of: %s); delivered msg/s median %s; peak RSS MiB %s\n' "$x" \
        "$(awk -v x="$x" '$1 == x { print $2 }' "$WORK/ab.txt" | median)" \
        "$(awk -v x="$x" '$1 == x { printf "%s ", $2 }' "$WORK/ab.txt")" \
        "$(awk -v x="$x" '$1 == x { print $3 }' "$WORK/ab.txt" | median)" \
        "$(awk -v x="$x" '$1 == x { printf "%s ", $4 }' "$WORK/ab.txt")"
done
if [ -s "$WORK/strace-A.txt" ] && [ -s "$WORK/strace-B.txt" ]; then
    echo "# syscalls per message (strace -c -f, $MSGS messages):   A    B"
    awk -v n="$MSGS" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { c[$NF, FILENAME ~ /-B/] = $4 / n; k[$NF] = 1 }
        END { for (s in k) if (c[s, 0] >= 0.05 || c[s, 1] >= 0.05) printf "%8.2f %8.2f  %s\n", c[s, 0], c[s, 1], s }' \
        "$WORK/strace-A.txt" "$WORK/strace-B.txt" | sort -rn
    awk -v n="$MSGS" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { t[FILENAME ~ /-B/] += $4 } END { printf "%8.2f %8.2f  total\n", t[0] / n, t[1] / n }' \
        "$WORK/strace-A.txt" "$WORK/strace-B.txt"
fi
