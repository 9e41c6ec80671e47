#!/usr/bin/env bash
# tls-sink.sh - stands in for smtp-sink when relay.sh runs with OUT_TLS=1: the receiver is then a private Postfix
# smtpd with STARTTLS (smtpd_tls_security_level = may, self-signed certificate) and a discard transport for every
# recipient, configured by lib.sh's recv_configure. smtp-sink has no STARTTLS.
#
# ../shared/bench/bench-relay.sh (read-only) starts `smtp-sink -c -u nobody 127.0.0.1:PORT BACKLOG > sink.out &` for
# every run, reads the last `mesg=N` counter of sink.out, and kills the sink when the run is over. relay.sh puts
# this script first on PATH under the name smtp-sink, so the shared measurement (timing, CPU accounting, idle
# check) stays exactly as for the other benchmarks. Here:
#   start  -> `postfix start` of the receiver instance (it listens on RECV_PORT, which must be the PORT asked for)
#   count  -> one `mesg=N` per "status=sent" line of the discard transport in the receiver's log, from this run on
#   SIGTERM -> `postfix stop`, waits for the master to go, then logs how many messages this run discarded
#
# env: RECV_ETC (receiver config dir), RECV_LOG (its maillog_file), RECV_PORT; set by relay.sh.
set -uo pipefail

: "${RECV_ETC:?}" "${RECV_LOG:?}" "${RECV_PORT:?}"
log() { printf '[%s] tls-sink: %s\n' "$(date +%T)" "$*" >&2; }

addr=
for a in "$@"; do case "$a" in *:*) addr=$a ;; esac; done
[ "${addr##*:}" = "$RECV_PORT" ] || { log "asked for $addr, but the receiver is configured for port $RECV_PORT"; exit 2; }

pf() { postfix -c "$RECV_ETC" "$@" >/dev/null 2>&1; }
touch "$RECV_LOG"
from=$(( $(stat -c %s "$RECV_LOG") + 1 ))   # this run's lines start here

COUNTER=
stop() {
    pf stop
    for _ in $(seq 100); do pf status || break; sleep 0.1; done
    [ -n "$COUNTER" ] && kill "$COUNTER" 2>/dev/null
    log "this run: $(tail -c +"$from" "$RECV_LOG" | grep -c 'postfix/discard\[.* status=sent ') messages discarded"
    exit 0
}
trap stop TERM INT

# The counter reads the log from where this run starts; --pid ends tail when this script is gone.
# (grep --line-buffered and a shell loop: mawk, Debian's awk, holds piped input back in blocks.)
tail -c +"$from" -F --pid=$$ "$RECV_LOG" 2>/dev/null |
    grep --line-buffered -E 'postfix/discard\[.* status=sent ' |
    { n=0; while read -r _; do n=$((n + 1)); printf 'mesg=%d\r' "$n"; done; } &
COUNTER=$!
pf start || { log "receiver did not start: postfix -c $RECV_ETC start"; exit 1; }
wait "$COUNTER"   # returns early on SIGTERM (the trap runs) or when the counter died
log "the log counter ended unexpectedly"
stop
