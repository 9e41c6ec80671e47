#!/usr/bin/env bash
# tls.sh - issue 19: STARTTLS on both legs, Sealgate vs Postfix configured the same way, with the rig's ceiling.
#
#   sg-load client --SMTP+STARTTLS--> relay (fsync'd queue) --SMTP+STARTTLS--> sg-load sink 127.0.0.1:$SINK_PORT
#
# The client and the sink are one process, tests/bench/load (`sg-load`): the sink offers STARTTLS and PIPELINING and
# keeps nothing (no fsync), so the receiving side costs little and is the same for both relays. Three measurements,
# in this order, each $RUNS runs of $MSGS x $SIZE over $SESSIONS sessions ($PER_CONN messages per connection):
#   ceiling   client --STARTTLS--> sink directly (the rig's own TLS rate on this machine)
#   postfix   a private Postfix relay (../shared/bench/bench-postfix.sh configure, TLS=1), then: smtpd and smtp with
#             STARTTLS (may), the same ECDSA P-256 certificate as Sealgate, smtp_tls_connection_reuse = yes
#             through tlsproxy (PF_TLS_REUSE=0 to leave Postfix's default, a handshake per delivery)
#   sealgate  the release binary with [smtp.tls] on that certificate, every domain routed to the sink
#             (opportunistic STARTTLS, which accepts the sink's self-signed certificate); DKIM as lib.sh's DKIM
# CPU ms/msg is of the relay's process tree (/proc utime+stime; Postfix's reaped children included).
#
# usage: tests/bench/tls.sh   env [defaults]: SESSIONS [20] MSGS [3000] SIZE [10240] RUNS [3] PER_CONN [1]
#        PF_PORT [10025] SINK_PORT [10026] PF_TLS_REUSE [1] DKIM [none], and lib.sh's (SEALGATE_BIN, WORK, ...)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SESSIONS=${SESSIONS:-20} MSGS=${MSGS:-3000} SIZE=${SIZE:-10240} RUNS=${RUNS:-3} PER_CONN=${PER_CONN:-1}
PF_PORT=${PF_PORT:-10025} SINK_PORT=${SINK_PORT:-10026}
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate
build_load
LOAD_ARGS=(--sink "127.0.0.1:$SINK_PORT" --sessions "$SESSIONS" --msgs "$MSGS" --size "$SIZE" --runs "$RUNS"
           --per-conn "$PER_CONN" --tls)

# One certificate for both relays: ECDSA P-256, as `sealgate serve` makes for itself.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout "$WORK/relay.key" \
    -out "$WORK/relay.crt" -subj /CN=relay.bench.test -addext subjectAltName=DNS:relay.bench.test 2>/dev/null
chmod 600 "$WORK/relay.key"

"$LOAD_BIN" --target sink --label "ceiling (client -> sink, STARTTLS)" "${LOAD_ARGS[@]}" | tee "$WORK/tls-ceiling.txt"

PF_BASE=$WORK/postfix-tls
BASE=$PF_BASE RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" install
TLS=1 BASE=$PF_BASE RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" configure
cp "$WORK/relay.key" "$WORK/relay.crt" "$PF_BASE/etc/"
postconf -c "$PF_BASE/etc" -e "smtpd_tls_chain_files=$PF_BASE/etc/relay.key,$PF_BASE/etc/relay.crt" \
    smtp_tls_security_level=may smtp_tls_loglevel=1
if [ "${PF_TLS_REUSE:-1}" = 1 ]; then
    postconf -c "$PF_BASE/etc" -M "tlsproxy/unix=tlsproxy unix - - n - 0 tlsproxy"
    postconf -c "$PF_BASE/etc" -e smtp_tls_connection_reuse=yes
fi
pf_start "$PF_BASE"
"$LOAD_BIN" --target "127.0.0.1:$PF_PORT" --pid "$(tr -d ' ' < "$PF_BASE/spool/pid/master.pid")" \
    --label "postfix $(postconf -d -h mail_version) (STARTTLS both legs, reuse ${PF_TLS_REUSE:-1})" "${LOAD_ARGS[@]}" |
    tee "$WORK/tls-postfix.txt"
pf_stop
pf_tls=$(grep -c 'postfix/smtp\[.*TLS connection established to' "$PF_BASE/maillog" || true)
pf_in=$(grep -c 'postfix/smtpd\[.*TLS connection established from' "$PF_BASE/maillog" || true)

SMTP_EXTRA_TOML=$(printf '[smtp.tls]\ncert = "%s"\nkey = "%s"' "$WORK/relay.crt" "$WORK/relay.key") \
    start_sealgate "$WORK/sealgate-tls" "127.0.0.1:$SINK_PORT" 5s
"$LOAD_BIN" --target "$SG_ADDR" --pid "$SG_PID" --label "sealgate (STARTTLS both legs, DKIM ${DKIM:-none})" \
    "${LOAD_ARGS[@]}" | tee "$WORK/tls-sealgate.txt"
stop_sealgate

med() { sed -n 's/.* median: .*delivered \([0-9]*\) msg\/s.*/\1/p' "$1"; }
cpu() { sed -n 's/.* median: .*CPU \([0-9.]*\) ms\/msg.*/\1/p' "$1"; }
c=$(med "$WORK/tls-ceiling.txt") p=$(med "$WORK/tls-postfix.txt") s=$(med "$WORK/tls-sealgate.txt")
echo "# STARTTLS both legs, medians of $RUNS runs, $SESSIONS sessions, $MSGS x $SIZE B, $PER_CONN msg/connection"
echo "ceiling $c msg/s | postfix $p msg/s ($(cpu "$WORK/tls-postfix.txt") ms/msg) | sealgate $s msg/s ($(cpu "$WORK/tls-sealgate.txt") ms/msg)" \
     "| ratio sealgate/postfix $(echo "$s / $p" | bc -l | xargs printf %.2f)x"
echo "postfix log: $pf_in inbound TLS sessions, $pf_tls outbound TLS connections established"
