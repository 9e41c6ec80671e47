#!/usr/bin/env bash
# accept.sh - issue 2's intake benchmark: accepted msg/s for 10 KiB messages over 20 concurrent sessions, fsync on,
# sealgate vs an accept-only Postfix (defer_transports = smtp), in the same sitting, 3 runs each, medians.
#
#   smtp-source --SMTP--> postfix smtpd/cleanup (queue file fsync'd, then 250) --qmgr--> deferred (never sent)
#   smtp-source --SMTP--> sealgate (body fsync + dir fsync + redb commit, then 250) --> one refused try, deferred
#
# Both keep everything they accept on disk; neither delivers. The client, the timing and the CPU accounting are
# ../shared/bench/bench-relay.sh's (run with TIMEOUT=1: nothing reaches its sink, so its "delivered" row is 0 and
# its "TIMEOUT: sink has 0/N" lines are expected). Sealgate's every domain is routed to a closed loopback port with
# retries an hour apart: each message is tried once (connection refused) and stays queued, as Postfix's does.
# Not run by CI (no timed assertions anywhere); run it on an otherwise idle machine.
#
# usage: tests/bench/accept.sh     env [defaults]: SESSIONS [20] MSGS [10000] SIZE [10240] RUNS [3]
#        PF_PORT [10025] SINK_PORT [10026], and those of lib.sh (SHARED_BENCH, SEALGATE_BIN, WORK, KEEP_WORK)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export SESSIONS=${SESSIONS:-20} MSGS=${MSGS:-10000} SIZE=${SIZE:-10240} RUNS=${RUNS:-3}
PF_PORT=${PF_PORT:-10025}
SINK_PORT=${SINK_PORT:-10026}
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate

# --- Postfix, accept-only: the shared script's private instance, plus defer_transports = smtp.
PF=$WORK/postfix-accept
pf_script() { BASE=$PF RELAY_PORT=$PF_PORT SINK_PORT=$SINK_PORT "$SHARED_BENCH/bench-postfix.sh" "$1"; }
pf_script install
pf_script configure
postconf -c "$PF/etc" -e defer_transports=smtp
pf_start "$PF"
queued_pf="find $PF/spool/incoming $PF/spool/active $PF/spool/deferred -type f | wc -l"
RELAY=127.0.0.1:$PF_PORT SINK_PORT=$SINK_PORT DIRECT=0 TIMEOUT=1 \
    LABEL="postfix $(postconf -d -h mail_version) accept-only (defer_transports=smtp)" \
    RELAY_PIDS_CMD="cat $PF/spool/pid/master.pid" POSTRUN_CMD="echo queued: \$($queued_pf)" \
    shared "$SHARED_BENCH/bench-relay.sh" | tee "$WORK/accept-postfix.txt"
pf_stop

# --- Sealgate, accept-only.
start_sealgate "$WORK/sealgate-accept" "127.0.0.1:$(free_port)" 1h
queued_sg="find $SG_DIR/data/bodies -name '*.body' | wc -l"
RELAY=$SG_ADDR SINK_PORT=$SINK_PORT DIRECT=0 TIMEOUT=1 LABEL="sealgate accept-only (mx, route to a closed port)" \
    RELAY_PIDS_CMD="echo $SG_PID" POSTRUN_CMD="echo queued: \$($queued_sg)" \
    shared "$SHARED_BENCH/bench-relay.sh" | tee "$WORK/accept-sealgate.txt"
stop_sealgate

pf_rate=$(median_of "$WORK/accept-postfix.txt" "relay accepted")
sg_rate=$(median_of "$WORK/accept-sealgate.txt" "relay accepted")
pf_cpu=$(median_of "$WORK/accept-postfix.txt" "relay CPU")
sg_cpu=$(median_of "$WORK/accept-sealgate.txt" "relay CPU")
echo "# accept-only, $SESSIONS sessions, $MSGS x $SIZE-byte messages, $RUNS runs, medians, $(nproc) cores"
echo "postfix  accepted msg/s $pf_rate   CPU ms/msg $pf_cpu"
echo "sealgate accepted msg/s $sg_rate   CPU ms/msg $sg_cpu   peak RSS $((SG_RSS_KIB / 1024)) MiB"
echo "ratio sealgate/postfix  $(echo "$sg_rate / $pf_rate" | bc -l | xargs printf %.2f)x"
