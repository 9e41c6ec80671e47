#!/usr/bin/env bash
# portal.sh - issue 13 item 6: what the secure portal costs. In one sitting, on loopback:
#
# 1. plain relay:  sg-load client --SMTP--> sealgate (shipped rules: deliver) --SMTP--> sg-load sink (no fsync)
# 2. escrow relay: the same, with a rule set whose default is `encrypt` by the chain ["portal", "hold"]: every message is
#    sanitised, sealed and committed to the escrow store (fsync'd), and its notification goes to the same sink.
#    Both print delivered msg/s (sink count); the ratio escrow/plain is the figure (goal >= 50 %).
# 3. readers: sealgate (escrow rules, [portal] behind a loopback "reverse proxy") routing to smtp-receiver.py,
#    which keeps every mail as an .eml file; tests/bench/portal-load.py seeds READERS PHI messages, reads each
#    notification's link from the folder, and logs READERS readers in through the emailed-code flow (reading their
#    code mails from the folder), then has them all GET their message page GETS times and POST /open OPENS times
#    together: p50/p95/p99 latency (goal: message page p95 <= 50 ms).
#
# Figures only, no verdict. Not run by CI; the machine should be otherwise idle.
#
# usage: tests/bench/portal.sh     env [defaults]: SESSIONS [20] MSGS [2000] SIZE [10240] RUNS [3] READERS [200]
#        GETS [20] OPENS [2] PORTAL_HOST [localhost] SINK_PORT [a free port] LOAD_BIN [release sg-load of this checkout],
#        and those of lib.sh; READERS_ONLY=1 runs part 3 alone
#        (SEALGATE_BIN, WORK, KEEP_WORK, DKIM)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SESSIONS=${SESSIONS:-20} MSGS=${MSGS:-2000} SIZE=${SIZE:-10240} RUNS=${RUNS:-3}
READERS=${READERS:-200} GETS=${GETS:-20} OPENS=${OPENS:-2} PORTAL_HOST=${PORTAL_HOST:-localhost}
SINK_PORT=${SINK_PORT:-$(free_port)}   # a free one: other sittings may hold 10026
mkdir -p "$WORK"
RECV_PID=
stop_receiver() { [ -z "$RECV_PID" ] || { kill "$RECV_PID" 2>/dev/null || true; wait "$RECV_PID" 2>/dev/null || true; RECV_PID=; }; }
trap 'stop_receiver; cleanup_work' EXIT

if [ -z "${SEALGATE_BIN:-}" ] || [ -z "${LOAD_BIN:-}" ]; then
    log "cargo build --release -p sealgate -p sealgate-tests --bin sealgate --bin sg-load"
    (cd "$REPO" && cargo build --release -p sealgate -p sealgate-tests --bin sealgate --bin sg-load >&2)
    target=${CARGO_TARGET_DIR:-$REPO/target}/release
    cp "$target/sealgate" "$WORK/sealgate"; cp "$target/sg-load" "$WORK/sg-load"
    SEALGATE_BIN=${SEALGATE_BIN:-$WORK/sealgate} LOAD_BIN=${LOAD_BIN:-$WORK/sg-load}
fi
export SEALGATE_BIN
LOAD_ARGS=(--sink "127.0.0.1:$SINK_PORT" --sessions "$SESSIONS" --msgs "$MSGS" --size "$SIZE" --runs "$RUNS")

# The escrow rule set: the shipped rules, with "everything else" escrowed instead of delivered.
RULES=$WORK/rules-escrow
rm -rf "$RULES"; mkdir -p "$RULES"; cp -r "$REPO"/deploy/rules/. "$RULES/"
sed -i 's/^default = { action = "deliver" }/default = { action = "encrypt", chain = ["portal", "hold"] }/' "$RULES/00-settings.toml"
grep -q 'chain = \["portal", "hold"\] }' "$RULES/00-settings.toml" || die "could not set the escrow default rule"

# portal_toml PORT [EXTRA]: [rules] with the escrow set and a [portal] for tenant bench on 127.0.0.1:PORT, its
# base_url on PORTAL_HOST (a host name, as in production, so each message page asks whether the reader has a passkey
# on this tenant; with an IP address the tenant gets no passkeys and that step is skipped).
portal_toml() {
    printf '[rules]\ndir = "%s"\n\n[portal]\nlisten = "127.0.0.1:%s"\n%s\n\n[portal.tenants.bench]\nbase_url = "http://%s:%s"\norganisation = "Bench Clinic"\nhelp = "Questions? Call 555-0100."\n' \
        "$RULES" "$1" "${2:-}" "$PORTAL_HOST" "$1"
}

# --- 1. plain relay
if [ "${READERS_ONLY:-0}" != 1 ]; then
start_sealgate "$WORK/plain" "127.0.0.1:$SINK_PORT" 5s
"$LOAD_BIN" --target "$SG_ADDR" --pid "$SG_PID" --label "plain relay" "${LOAD_ARGS[@]}" | tee "$WORK/plain.txt"
stop_sealgate

# --- 2. escrow relay
SMTP_EXTRA_TOML=$(portal_toml "$(free_port)") start_sealgate "$WORK/escrow" "127.0.0.1:$SINK_PORT" 5s
"$LOAD_BIN" --target "$SG_ADDR" --pid "$SG_PID" --label "escrow relay (every message to the portal)" \
    "${LOAD_ARGS[@]}" | tee "$WORK/escrow.txt"
escrowed=$(find "$SG_DIR/data/portal/sealed" -type f | wc -l)
stop_sealgate
fi

# --- 3. readers
mkdir -p "$WORK/mail"
mkfifo "$WORK/recv.in"
python3 "$REPO/tests/support/smtp-receiver.py" --host 127.0.0.1 --port 0 --save "$WORK/mail" \
    < "$WORK/recv.in" > "$WORK/recv.out" 2> "$WORK/recv.err" &
RECV_PID=$!
exec 7> "$WORK/recv.in"   # the receiver runs while this stays open
for _ in $(seq 300); do grep -q '^listening ' "$WORK/recv.out" 2>/dev/null && break; sleep 0.1; done
RECV_ADDR=$(awk '/^listening /{print $2 ":" $3; exit}' "$WORK/recv.out")
[ -n "$RECV_ADDR" ] || die "smtp-receiver.py did not start: $(cat "$WORK/recv.err")"
PORTAL_PORT=$(free_port)
SMTP_EXTRA_TOML=$(portal_toml "$PORTAL_PORT" 'trusted_proxies = ["127.0.0.1/32"]') \
    start_sealgate "$WORK/readers" "$RECV_ADDR" 5s
python3 "$REPO/tests/bench/portal-load.py" --smtp "$SG_ADDR" --portal "http://127.0.0.1:$PORTAL_PORT" \
    --origin "http://$PORTAL_HOST:$PORTAL_PORT" --pid "$SG_PID" \
    --mail-dir "$WORK/mail" --readers "$READERS" --gets "$GETS" --opens "$OPENS" | tee "$WORK/readers.txt"
stop_sealgate
exec 7>&-
stop_receiver

if [ "${READERS_ONLY:-0}" = 1 ]; then
    grep -E '^(login|message page|open|page phase|gateway CPU)' "$WORK/readers.txt" | sed 's/^/readers: /'
    exit 0
fi
med() { sed -n 's/.* median: .*delivered \([0-9]*\) msg\/s.*/\1/p' "$1"; }
cpu() { sed -n 's/.* median: .*CPU \([0-9.]*\) ms\/msg.*/\1/p' "$1"; }
p=$(med "$WORK/plain.txt") e=$(med "$WORK/escrow.txt")
echo "# portal benchmark, medians of $RUNS runs, $SESSIONS sessions, $MSGS x $SIZE B; $READERS readers"
echo "plain relay $p msg/s ($(cpu "$WORK/plain.txt") ms/msg) | escrow relay $e escrows/s ($(cpu "$WORK/escrow.txt") ms/msg)" \
     "| escrow/plain $(echo "100 * $e / $p" | bc -l | xargs printf %.0f) % (goal >= 50 %) | sealed files after the escrow runs: $escrowed"
grep -E '^(login|message page|open|page phase|gateway CPU)' "$WORK/readers.txt" | sed 's/^/readers: /'
