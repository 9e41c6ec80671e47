#!/usr/bin/env bash
# relay.sh - issue 3's end-to-end relay benchmark: sealgate relaying to Postfix's smtp-sink on 127.0.0.1:$SINK_PORT
# through a static route, vs Postfix as a relay (../shared/bench/bench-postfix.sh, which also measures the rig's
# ceiling: client -> sink directly), in the same sitting, 3 runs each, medians; peak RSS of sealgate.
#
#   smtp-source --SMTP--> relay (queue on disk, fsync'd) --SMTP--> smtp-sink 127.0.0.1:$SINK_PORT
#
# OUT_TLS=1 (issue 5): STARTTLS on the outbound leg. The receiver is then a private Postfix smtpd with STARTTLS
# (smtpd_tls_security_level = may, self-signed) and a discard transport for every recipient (smtp-sink has no TLS);
# sealgate relays to it as before (its opportunistic STARTTLS), the Postfix relay with smtp_tls_security_level = may.
#
#   smtp-source --SMTP--> relay --SMTP+STARTTLS--> Postfix smtpd 127.0.0.1:$SINK_PORT -> discard
#
# Both are measured by ../shared/bench/bench-relay.sh: "accepted" = client wall time, "delivered" = until the sink
# counted every message (with OUT_TLS=1: until the receiver's log shows every message discarded, see tls-sink.sh).
# Not run by CI; run it on an otherwise idle machine.
#
# usage: tests/bench/relay.sh     env [defaults]: SESSIONS [20] MSGS [10000] SIZE [10240] RUNS [3]
#        PF_PORT [10025] SINK_PORT [10026] OUT_TLS [0] PF_TLS_REUSE [0] (with OUT_TLS=1: 1 = the Postfix relay
#        keeps TLS sessions open between deliveries, smtp_tls_connection_reuse = yes via tlsproxy), and those of
#        lib.sh (SHARED_BENCH, SEALGATE_BIN, WORK, KEEP_WORK, DKIM [none] = rsa | ed25519: sealgate signs every copy
#        with a bench.test key; Postfix does not sign)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export SESSIONS=${SESSIONS:-20} MSGS=${MSGS:-10000} SIZE=${SIZE:-10240} RUNS=${RUNS:-3}
PF_PORT=${PF_PORT:-10025}
SINK_PORT=${SINK_PORT:-10026}
export OUT_TLS=${OUT_TLS:-0}
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate

if [ "$OUT_TLS" = 1 ]; then
    # --- Receiver: Postfix smtpd with STARTTLS -> discard on $SINK_PORT, started for each run by tls-sink.sh.
    BASE=$WORK/postfix-relay RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" install
    recv_configure "$WORK/receiver" "$SINK_PORT"

    # --- Postfix relay: the shared configuration, then STARTTLS on its smtp client, then the shared measurement.
    PF_BASE=$WORK/postfix-relay
    BASE=$PF_BASE RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" configure
    postconf -c "$PF_BASE/etc" -e smtp_tls_security_level=may smtp_tls_loglevel=1
    if [ "${PF_TLS_REUSE:-0}" = 1 ]; then   # keep TLS sessions open between deliveries (through tlsproxy)
        postconf -c "$PF_BASE/etc" -M "tlsproxy/unix=tlsproxy unix - - n - 0 tlsproxy"
        postconf -c "$PF_BASE/etc" -e smtp_tls_connection_reuse=yes
    fi
    pf_start "$PF_BASE"
    BASE=$PF_BASE RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" run |
        tee "$WORK/relay-postfix.txt"
    pf_stop
    pf_tls=$(grep -c 'postfix/smtp\[.*TLS connection established to' "$PF_BASE/maillog" || true)
    pf_sent=$(grep -c 'postfix/smtp\[.*status=sent' "$PF_BASE/maillog" || true)
    recv_from=$(( $(stat -c %s "$RECV_LOG") + 1 ))
else
    # --- Postfix relay: the shared script end to end (install, configure, start, measure, stop).
    BASE=$WORK/postfix-relay RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT shared "$SHARED_BENCH/bench-postfix.sh" all |
        tee "$WORK/relay-postfix.txt"
fi

# --- Sealgate relay: every domain statically routed to the sink bench-relay.sh starts for each run.
start_sealgate "$WORK/sealgate-relay" "127.0.0.1:$SINK_PORT" 5s
sink_label="smtp-sink"; [ "$OUT_TLS" = 1 ] && sink_label="Postfix smtpd + STARTTLS -> discard"
RELAY=$SG_ADDR SINK_PORT=$SINK_PORT DIRECT=0 LABEL="sealgate relay (static route to $sink_label)" \
    RELAY_PIDS_CMD="echo $SG_PID" POSTRUN_CMD="echo still queued: \$(find $SG_DIR/data/bodies -name '*.body' | wc -l)" \
    shared "$SHARED_BENCH/bench-relay.sh" | tee "$WORK/relay-sealgate.txt"
stop_sealgate

for k in "relay accepted" "relay delivered" "relay CPU"; do
    printf '%-16s postfix %-8s sealgate %-8s\n' "${k#relay }" \
        "$(median_of "$WORK/relay-postfix.txt" "$k")" "$(median_of "$WORK/relay-sealgate.txt" "$k")"
done | sed '1i # relay, medians of '"$RUNS"' runs (msg/s; CPU in ms/msg), '"$SESSIONS sessions, $MSGS x $SIZE-byte messages, OUT_TLS=$OUT_TLS"
pf_d=$(median_of "$WORK/relay-postfix.txt" "relay delivered")
sg_d=$(median_of "$WORK/relay-sealgate.txt" "relay delivered")
echo "ratio sealgate/postfix (delivered) $(echo "$sg_d / $pf_d" | bc -l | xargs printf %.2f)x; sealgate peak RSS $((SG_RSS_KIB / 1024)) MiB"
if [ "$OUT_TLS" = 1 ]; then
    # Both legs must really have used TLS, or the figures compare something else.
    # Sealgate's side from the receiver's log since the Postfix runs (messages it took, of them inside TLS);
    # Postfix's from its own log (the receiver's would mix in the plaintext direct runs).
    read -r sg_msgs sg_tls < <(tail -c +"$recv_from" "$RECV_LOG" | recv_tls_messages)
    echo "outbound TLS: postfix relay $pf_tls TLS sessions for $pf_sent messages sent (its log);" \
        "sealgate $sg_tls of $sg_msgs messages received inside TLS (receiver's log)"
    [ "$pf_tls" -gt 0 ] && [ "$sg_msgs" -gt 0 ] && [ "$sg_tls" = "$sg_msgs" ] ||
        log "WARNING: not every outbound session used TLS; the figures do not measure STARTTLS on the outbound leg"
fi
