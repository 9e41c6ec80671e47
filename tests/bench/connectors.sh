#!/usr/bin/env bash
# connectors.sh - issue 10's benchmark: what tenant attribution costs on accept throughput.
#
# The same load both ways, in one sitting, runs interleaved (off, on, off, on, …), medians:
#   off: tenant `bench` on platform "smtp" (loopback network + client-certificate name: no per-tenant check)
#   on:  tenant `bench` on platform "m365" (loopback standing in for Exchange Online's ranges): certificate name,
#        exactly one X-MS-Exchange-CrossTenant-Id equal to the tenant id, the token compared in constant time
# Both strip outside X-Sealgate-* fields and stamp the loop header (that is part of every accept). The client
# (connector-load.py) speaks STARTTLS presenting a client certificate for mail.protection.outlook.com from a test
# CA made here, and sends the tenant-id and token headers with every message, one connection per message
# (as Exchange Online does). Every domain routes to a closed loopback port, retries an hour apart: nothing leaves.
# Not run by CI (no timed assertions); run it on an otherwise idle machine.
#
# usage: tests/bench/connectors.sh   env [defaults]: SESSIONS [8] MSGS [2000] SIZE [10240] RUNS [3]
#        and those of lib.sh (SEALGATE_BIN [release build], WORK, KEEP_WORK)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SESSIONS=${SESSIONS:-8} MSGS=${MSGS:-2000} SIZE=${SIZE:-10240} RUNS=${RUNS:-3}
mkdir -p "$WORK"
trap cleanup_work EXIT
build_sealgate

# Test CA and the "Exchange Online" client certificate.
PKI=$WORK/pki; mkdir -p "$PKI"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -subj /CN=bench-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$PKI/client.key" -out "$PKI/client.csr" \
    -subj /CN=mail.protection.outlook.com 2>/dev/null
printf 'subjectAltName=DNS:mail.protection.outlook.com\nextendedKeyUsage=clientAuth,serverAuth\n' > "$PKI/ext"
openssl x509 -req -in "$PKI/client.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/ext" -out "$PKI/client.crt" 2>/dev/null
TOKEN=$(openssl rand -hex 32)
printf '%s\n' "$TOKEN" > "$PKI/bench.token"; chmod 600 "$PKI/bench.token"
TENANT_ID=0a1b2c3d-1111-4111-8111-aaaaaaaaaaaa
export SMTP_EXTRA_TOML="[smtp.tls]
client_ca = \"$PKI/ca.crt\""
OFF_TOML='[tenants.bench]
networks = ["127.0.0.1/32"]
client_cert_names = ["mail.protection.outlook.com"]
sender_domains = ["bench.test"]'
ON_TOML="[tenants.bench]
platform = \"m365\"
tenant_id = \"$TENANT_ID\"
networks = [\"127.0.0.0/8\"]
token_file = \"$PKI/bench.token\"
sender_domains = [\"bench.test\"]"

run_once() { # LABEL TOML -> appends "rate" to $WORK/LABEL.txt
    local label=$1
    TENANT_TOML=$2 start_sealgate "$WORK/sg-$label" "127.0.0.1:$(free_port)" 1h
    python3 "$BENCH_DIR/connector-load.py" "$SG_ADDR" -s "$SESSIONS" -m "$MSGS" -l "$SIZE" --tls \
        --cert "$PKI/client.crt" --key "$PKI/client.key" \
        --header "X-MS-Exchange-CrossTenant-Id: $TENANT_ID" --header "X-Sealgate-Token: $TOKEN" \
        | tee -a "$WORK/$label.log" | sed -n 's/.* rate=\([0-9]*\) msg\/s.*/\1/p' >> "$WORK/$label.txt"
    local refused
    refused=$(grep -c 'relay refused' "$SG_DIR/sealgate.log" || true)
    [ "$refused" = 0 ] || die "$label: $refused refusals (the load is not this tenant's)"
    stop_sealgate
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$WORK/off.txt"; : > "$WORK/on.txt"
for i in $(seq "$RUNS"); do
    log "run $i/$RUNS"
    run_once off "$OFF_TOML"
    run_once on "$ON_TOML"
done
off=$(median "$WORK/off.txt"); on=$(median "$WORK/on.txt")
echo "# accept with TLS + client certificate, $SESSIONS sessions, $MSGS x $SIZE-byte messages, one connection each,"
echo "# $RUNS interleaved runs, medians, $(nproc) cores"
echo "attribution off (smtp tenant)  msg/s $off   runs: $(tr '\n' ' ' < "$WORK/off.txt")"
echo "attribution on  (m365 tenant)  msg/s $on   runs: $(tr '\n' ' ' < "$WORK/on.txt")"
echo "cost $(echo "(1 - $on / $off) * 100" | bc -l | xargs printf %.1f)%"
