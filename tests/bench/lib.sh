# tests/bench/lib.sh - sourced by accept.sh and relay.sh: finds the shared Postfix bench scripts, builds
# and runs a private `sealgate serve` on loopback for them to measure.
#
# The measuring is done by ../shared/bench/bench-relay.sh (beside the clone, as CI lays it out; override with
# SHARED_BENCH=DIR); the Postfix baselines by ../shared/bench/bench-postfix.sh. Nothing here listens on
# anything but 127.0.0.1, and nothing is measured by this file.
#
# env [defaults]: SHARED_BENCH [<repo>/../shared/bench]  SEALGATE_BIN [release build of this checkout]
#                 WORK [${TMPDIR:-/tmp}/sealgate-bench]  KEEP_WORK [0]

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
WORK=${WORK:-${TMPDIR:-/tmp}/sealgate-bench}
KEEP_WORK=${KEEP_WORK:-0}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 1; }

[ -x "$SHARED_BENCH/bench-relay.sh" ] && [ -x "$SHARED_BENCH/bench-postfix.sh" ] ||
    die "no bench-relay.sh / bench-postfix.sh in $SHARED_BENCH (set SHARED_BENCH=DIR)"
SHARED_BENCH=$(cd "$SHARED_BENCH" && pwd)

# shared CMD...: runs a shared bench script with a `cat` in front on PATH that exits 0 when a file vanished.
# bench-relay.sh's tree_ticks reads `cat /proc/[0-9]*/stat | awk …` under `set -e -o pipefail`: a process that
# exits between the glob and the read fails that pipeline and ends the whole script, silently, mid-run (it
# happens on a busy machine). The shared scripts are read-only here, so the workaround lives on this side.
shared() {
    mkdir -p "$WORK/shim"
    if [ ! -x "$WORK/shim/cat" ]; then
        printf '#!/bin/sh\n# cat that ignores files that vanished (see tests/bench/lib.sh)\n%s "$@"\nexit 0\n' \
            "$(command -v cat)" > "$WORK/shim/cat"
        chmod +x "$WORK/shim/cat"
    fi
    PATH="$WORK/shim:$PATH" "$@"
}

# A loopback port nothing listens on.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

build_sealgate() {
    if [ -n "${SEALGATE_BIN:-}" ]; then log "using SEALGATE_BIN=$SEALGATE_BIN"; return; fi
    log "cargo build --release -p sealgate"
    (cd "$REPO" && cargo build --release -p sealgate >&2)
    SEALGATE_BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/sealgate
    [ -x "$SEALGATE_BIN" ] || die "no $SEALGATE_BIN after the build"
}

SG_PID= SG_ADDR= SG_DIR= SG_RSS_KIB=
# start_sealgate DIR ROUTE RETRY: a fresh gateway in DIR (data, config, log), tenant 127.0.0.1 sending for
# bench.test (what smtp-source sends), every domain routed to ROUTE ("127.0.0.1:PORT"), retries RETRY apart,
# fsync on (the spool always syncs). Sets SG_PID and SG_ADDR (its SMTP listener).
#
# DKIM [none]: rsa or ed25519 gives the tenant a DKIM key for bench.test (made by openssl), so every delivered
# copy is signed (smtp-source's From is in bench.test).
start_sealgate() {
    SG_DIR=$1
    rm -rf "$SG_DIR"; mkdir -p "$SG_DIR"
    local dkim_block=
    case "${DKIM:-none}" in
        none) ;;
        rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$SG_DIR/dkim.pem" 2>/dev/null ;;
        ed25519) openssl genpkey -algorithm ed25519 -out "$SG_DIR/dkim.pem" ;;
        *) die "DKIM must be none, rsa or ed25519" ;;
    esac
    if [ "${DKIM:-none}" != none ]; then
        dkim_block=$(printf '[[tenants.bench.dkim]]\ndomain = "bench.test"\nselector = "bench"\nkey = "%s"' "$SG_DIR/dkim.pem")
    fi
    cat > "$SG_DIR/sealgate.toml" <<EOF
[storage]
dir = "$SG_DIR/data"
master_key_file = "$SG_DIR/master.key"

[smtp]
listen = ["127.0.0.1:0"]
hostname = "gw.bench.test"

[tenants.bench]
networks = ["127.0.0.1/32"]
sender_domains = ["bench.test"]
$dkim_block

[admin]
listen = "127.0.0.1:0"
token_file = "$SG_DIR/admin.token"

[delivery]
mode = "mx"
retry_schedule = ["$3"]

[delivery.routes]
"*" = "$2"
EOF
    "$SEALGATE_BIN" config check "$SG_DIR/sealgate.toml" >/dev/null || die "bad bench config"
    "$SEALGATE_BIN" serve --config "$SG_DIR/sealgate.toml" > "$SG_DIR/stdout" 2> "$SG_DIR/sealgate.log" &
    SG_PID=$!
    for _ in $(seq 300); do
        grep -q '^READY ' "$SG_DIR/stdout" 2>/dev/null && break
        kill -0 "$SG_PID" 2>/dev/null || { tail -20 "$SG_DIR/sealgate.log" >&2; die "sealgate exited"; }
        sleep 0.1
    done
    SG_ADDR=$(sed -n 's/^READY .*"smtp":\["\([^"]*\)".*/\1/p' "$SG_DIR/stdout")
    [ -n "$SG_ADDR" ] || die "sealgate printed no READY line"
    log "sealgate $("$SEALGATE_BIN" --version | awk '{print $2}') pid $SG_PID on $SG_ADDR, route * -> $2, DKIM ${DKIM:-none}"
}

# stop_sealgate: records peak RSS (VmHWM) in SG_RSS_KIB, then SIGTERM and wait.
stop_sealgate() {
    [ -n "$SG_PID" ] || return 0
    SG_RSS_KIB=$(awk '/^VmHWM:/{print $2}' "/proc/$SG_PID/status" 2>/dev/null || echo 0)
    kill -TERM "$SG_PID" 2>/dev/null || true
    wait "$SG_PID" 2>/dev/null || true
    SG_PID=
    log "sealgate stopped; peak RSS $((SG_RSS_KIB / 1024)) MiB"
}

# Summary line "relay accepted (client wall) MIN MEDIAN MAX" of a bench-relay.sh output file -> MEDIAN
median_of() { awk -v k="$2" 'index($0, k) == 1 {print $(NF-1)}' "$1"; }

# The private Postfix instance started through bench-postfix.sh, if one is running: stopped on exit, before its
# directory goes.
PF_RUNNING=
pf_start() { BASE=$1 RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" start; PF_RUNNING=$1; }
pf_stop() {
    [ -n "$PF_RUNNING" ] || return 0
    BASE=$PF_RUNNING RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT "$SHARED_BENCH/bench-postfix.sh" stop || true
    PF_RUNNING=
}

cleanup_work() { stop_sealgate; pf_stop; [ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"; }
