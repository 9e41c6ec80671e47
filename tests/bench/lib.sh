# tests/bench/lib.sh - sourced by accept.sh and relay.sh: finds the shared Postfix bench scripts, builds
# and runs a private `sealgate serve` on loopback for them to measure.
#
# The measuring is done by ../shared/bench/bench-relay.sh (beside the clone, as CI lays it out; override with
# SHARED_BENCH=DIR); the Postfix baselines by ../shared/bench/bench-postfix.sh. Nothing here listens on
# anything but 127.0.0.1, and nothing is measured by this file.
#
# env [defaults]: SHARED_BENCH [<repo>/../shared/bench]  SEALGATE_BIN [release build of this checkout]
#                 WORK [${TMPDIR:-/tmp}/sealgate-bench]  KEEP_WORK [0]
#                 OUT_TLS [0]: 1 = the receiver is a private Postfix smtpd with STARTTLS and a discard transport
#                 (recv_configure below; tls-sink.sh stands in for smtp-sink), not smtp-sink

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
#
# With OUT_TLS=1 the shim directory also holds `smtp-sink` -> tls-sink.sh: bench-relay.sh starts "the sink" for each
# run and reads its `mesg=N` counter; tls-sink.sh starts the STARTTLS + discard Postfix receiver instead and counts
# the discard transport's deliveries from that receiver's log (see tls-sink.sh).
shared() {
    mkdir -p "$WORK/shim"
    if [ ! -x "$WORK/shim/cat" ]; then
        printf '#!/bin/sh\n# cat that ignores files that vanished (see tests/bench/lib.sh)\n%s "$@"\nexit 0\n' \
            "$(command -v cat)" > "$WORK/shim/cat"
        chmod +x "$WORK/shim/cat"
    fi
    if [ "${OUT_TLS:-0}" = 1 ]; then ln -sf "$BENCH_DIR/tls-sink.sh" "$WORK/shim/smtp-sink"; else rm -f "$WORK/shim/smtp-sink"; fi
    PATH="$WORK/shim:$PATH" "$@"
}

# recv_configure BASE PORT: a private Postfix instance under BASE as the receiving MTA for OUT_TLS=1 (not started;
# tls-sink.sh starts and stops it for each run): smtpd on 127.0.0.1:PORT with STARTTLS (smtpd_tls_security_level =
# may, a self-signed certificate for sink.bench.test, TLS sessions logged) and the discard transport for every
# recipient, so nothing is stored or sent on. Its own queue (cleanup fsyncs as in any Postfix), its own log. Its
# hostname differs from the relay Postfix's (relay.bench.test), else that one would see mail "loop back to myself".
# Exports RECV_ETC, RECV_LOG and RECV_PORT for tls-sink.sh.
recv_configure() {
    local base=$1 port=$2 etc=$1/etc
    if [ -f "$etc/main.cf" ] && postfix -c "$etc" status >/dev/null 2>&1; then postfix -c "$etc" stop >/dev/null 2>&1 || true; fi
    mkdir -p "$etc" "$base/spool" "$base/data"
    chown root:root "$base/spool"; chmod 755 "$base" "$base/spool"; chown postfix:postfix "$base/data"
    cp /etc/postfix/master.cf "$etc/master.cf"
    : > "$etc/main.cf"
    [ -s "$etc/sink.key" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout "$etc/sink.key" \
        -out "$etc/sink.crt" -subj /CN=sink.bench.test -addext subjectAltName=DNS:sink.bench.test 2>/dev/null
    chmod 600 "$etc/sink.key"
    postconf -c "$etc" -e \
        compatibility_level=3.6 \
        "queue_directory=$base/spool" "data_directory=$base/data" mail_owner=postfix setgid_group=postdrop \
        myhostname=sink.bench.test mydomain=bench.test myorigin=bench.test mydestination= relay_domains= \
        inet_interfaces=127.0.0.1 inet_protocols=ipv4 mynetworks=127.0.0.0/8 \
        "smtpd_relay_restrictions=permit_mynetworks, reject" \
        local_recipient_maps= alias_maps= alias_database= \
        "default_transport=discard:bench receiver" "relay_transport=discard:bench receiver" \
        "local_transport=discard:bench receiver" \
        biff=no append_dot_mydomain=no \
        "maillog_file=$base/maillog" "maillog_file_prefixes=/var,/dev/stdout,$base" \
        smtpd_tls_security_level=may "smtpd_tls_chain_files=$etc/sink.key,$etc/sink.crt" smtpd_tls_loglevel=1 \
        smtp_tls_security_level=none
    postconf -c "$etc" -MX smtp/inet
    postconf -c "$etc" -M "127.0.0.1:$port/inet=127.0.0.1:$port inet n - n - - smtpd"
    postconf -c "$etc" -F '*/*/chroot = n'
    postfix -c "$etc" check || die "receiver configuration in $etc refused by postfix check"
    export RECV_ETC=$etc RECV_LOG=$base/maillog RECV_PORT=$port
    log "receiver configured in $etc: smtpd 127.0.0.1:$port with STARTTLS (may) -> discard, log $RECV_LOG"
}
# recv_tls_messages < RECEIVER-LOG: "N M" - messages the receiver's smtpd took, and of them those inside a TLS
# session. Each smtpd process serves one session at a time, so a message (its "QUEUEID: client=" line) is in TLS when
# its process logged "TLS connection established from" after its last "connect from". Session counts would not do:
# bench-relay.sh's port probe is a session too, and pooled sessions cut by `postfix stop` log no "disconnect".
recv_tls_messages() {
    awk '/postfix\/smtpd\[/ {
            pid = $0; sub(/.*postfix\/smtpd\[/, "", pid); sub(/\].*/, "", pid)
            if ($0 ~ /\]: connect from /) tls[pid] = 0
            else if ($0 ~ /TLS connection established from /) tls[pid] = 1
            else if ($0 ~ /\]: [0-9A-Za-z]+: client=/) { n++; if (tls[pid]) t++ }
         }
         END { printf "%d %d\n", n, t }'
}
recv_stop() {
    [ -n "${RECV_ETC:-}" ] && [ -f "$RECV_ETC/main.cf" ] || return 0
    if postfix -c "$RECV_ETC" status >/dev/null 2>&1; then postfix -c "$RECV_ETC" stop >/dev/null 2>&1 || true; fi
}

# A loopback port nothing listens on.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

build_sealgate() {
    if [ -n "${SEALGATE_BIN:-}" ]; then log "using SEALGATE_BIN=$SEALGATE_BIN"; return; fi
    log "cargo build --release -p sealgate"
    (cd "$REPO" && cargo build --release -p sealgate >&2)
    local built=${CARGO_TARGET_DIR:-$REPO/target}/release/sealgate
    [ -x "$built" ] || die "no $built after the build"
    # A private copy: another build into the same target directory must not swap the binary mid-sitting.
    mkdir -p "$WORK"; cp "$built" "$WORK/sealgate"
    SEALGATE_BIN=$WORK/sealgate
    log "measuring $(cd "$REPO" && git log -1 --format='%h %s' | cut -c1-72)$(cd "$REPO" && git diff --quiet HEAD -- . || echo ' (plus uncommitted changes)')"
}

# build_load: the load tool tests/bench/load (`sg-load`, a bin of sealgate-tests; dev profile, whose dependencies
# are optimised) copied into WORK as LOAD_BIN, unless LOAD_BIN names one.
build_load() {
    if [ -n "${LOAD_BIN:-}" ]; then log "using LOAD_BIN=$LOAD_BIN"; return; fi
    log "cargo build -p sealgate-tests --bin sg-load"
    (cd "$REPO" && cargo build -p sealgate-tests --bin sg-load >&2)
    mkdir -p "$WORK"; cp "${CARGO_TARGET_DIR:-$REPO/target}/debug/sg-load" "$WORK/sg-load"
    LOAD_BIN=$WORK/sg-load
}

SG_PID= SG_ADDR= SG_DIR= SG_RSS_KIB=
# start_sealgate DIR ROUTE RETRY: a fresh gateway in DIR (data, config, log), tenant 127.0.0.1 sending for
# bench.test (what smtp-source sends), every domain routed to ROUTE ("127.0.0.1:PORT"), retries RETRY apart,
# fsync on (the spool always syncs). Sets SG_PID and SG_ADDR (its SMTP listener).
#
# TENANT_TOML [loopback tenant for bench.test]: replaces the [tenants.bench] table (connectors.sh);
# SMTP_EXTRA_TOML [none]: more TOML after [smtp] (e.g. an [smtp.tls] table).
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
    # Not a ${TENANT_TOML:-...} default inside the here-document: bash removes the quotes of such a word there.
    local tenant=${TENANT_TOML:-}
    [ -n "$tenant" ] || tenant=$'[tenants.bench]\nnetworks = ["127.0.0.1/32"]\nsender_domains = ["bench.test"]'
    cat > "$SG_DIR/sealgate.toml" <<EOF
[storage]
dir = "$SG_DIR/data"
master_key_file = "$SG_DIR/master.key"

[smtp]
listen = ["127.0.0.1:0"]
hostname = "gw.bench.test"
${SMTP_EXTRA_TOML:-}

$tenant
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
    # As deployed (deploy/systemd/sealgate.service): four allocator arenas. SEALGATE_ARENA_MAX= (empty) for glibc's default.
    MALLOC_ARENA_MAX=${SEALGATE_ARENA_MAX-4} "$SEALGATE_BIN" serve --config "$SG_DIR/sealgate.toml" \
        > "$SG_DIR/stdout" 2> "$SG_DIR/sealgate.log" &
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

cleanup_work() { stop_sealgate; pf_stop; recv_stop; [ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"; }
