#!/usr/bin/env bash
# Fresh-machine proof of the README's first command (issue 17). Run by hand, as root, not by CI:
#
#   tests/fresh-machine.sh [CHROOT_DIR]        # default /var/tmp/sealgate-fresh
#
# Builds a clean Debian 12 (bookworm) chroot with debootstrap (minbase + build-essential +
# ca-certificates, nothing else), copies the host's Rust toolchain (`rustc --print sysroot`)
# into /opt/rust, exports the committed tree (`git archive HEAD`) into an unprivileged user's
# home, and runs there, as that user, exactly what the README says:
#
#   cargo run --release -- serve
#
# (with `--smtp-listen 127.0.0.1:0 --admin-listen 127.0.0.1:0` so it cannot clash with a
# gateway on the host). It passes when the gateway prints its READY line and answers
# `GET /healthz` with 200; it fails if any of libclang, libssl-dev or pkg-config got installed.
# Debian packages come from the first `deb.debian.org`-style URI configured in
# /etc/apt/sources.list*; crates from crates.io. The chroot shares the host's network.
set -euo pipefail

ROOT=${1:-/var/tmp/sealgate-fresh}
REPO=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=${MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
    | grep -oE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' | grep -oE 'https?://[^ ]+' | head -n1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SYSROOT=$(rustc --print sysroot)

step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

cleanup() {
    for m in dev/pts dev proc; do
        mountpoint -q "$ROOT/$m" && umount -l "$ROOT/$m" || true
    done
}
trap cleanup EXIT

if [ ! -x "$ROOT/usr/bin/gcc" ]; then
    step "debootstrap bookworm from $MIRROR into $ROOT"
    debootstrap --variant=minbase --include=build-essential,ca-certificates \
        bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 \
        || { tail -n 30 "$ROOT.debootstrap.log"; exit 1; }
fi

step "toolchain $("$SYSROOT/bin/rustc" --version) -> /opt/rust"
mkdir -p "$ROOT/opt/rust"
cp -a "$SYSROOT/bin" "$SYSROOT/lib" "$ROOT/opt/rust/"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# A host whose egress goes through a TLS-inspecting proxy trusts its CA locally; the chroot
# needs the same to reach crates.io (a machine with direct access has none to copy).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    chroot "$ROOT" update-ca-certificates >/dev/null
    echo "local CA certificates copied: $(ls /usr/local/share/ca-certificates/ | tr '\n' ' ')"
fi
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"

step "new user 'admin' with the committed tree $(git -C "$REPO" rev-parse --short HEAD)"
chroot "$ROOT" id admin >/dev/null 2>&1 || chroot "$ROOT" useradd -m -s /bin/bash admin
rm -rf "$ROOT/home/admin/sealgate"
mkdir -p "$ROOT/home/admin/sealgate"
git -C "$REPO" archive HEAD | tar -x -C "$ROOT/home/admin/sealgate"
chroot "$ROOT" chown -R admin:admin /home/admin

step "no system libraries for the build"
for pkg in libclang-dev libssl-dev pkg-config; do
    if chroot "$ROOT" dpkg -s "$pkg" >/dev/null 2>&1; then
        echo "FAIL: $pkg is installed in the chroot"; exit 1
    fi
    echo "$pkg: not installed"
done

step "cargo run --release -- serve (as admin)"
cat >"$ROOT/home/admin/try.sh" <<'EOF'
set -euo pipefail
export PATH=/opt/rust/bin:/usr/local/bin:/usr/bin:/bin HOME=/home/admin
cd ~/sealgate
cargo run --release -- serve --smtp-listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 >serve.out 2>serve.err &
pid=$!
deadline=$((SECONDS + 7200))
until grep -q '^READY' serve.out 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "serve exited:"; tail -n 40 serve.err; exit 1; fi
    [ "$SECONDS" -lt "$deadline" ] || { echo "no READY within 2 h"; exit 1; }
    sleep 5
done
grep '^READY' serve.out
admin=$(grep '^READY' serve.out | grep -oE '"admin":"[^"]+"' | cut -d'"' -f4)
exec 3<>"/dev/tcp/${admin%:*}/${admin##*:}"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
status=$(head -n1 <&3)
echo "GET /healthz -> $status"
kill -TERM "$pid"; wait "$pid" || true
grep -E 'Finished|Compiling sealgate v' serve.err | tail -n 2
./target/release/sealgate --version || true   # informational
case "$status" in *" 200 "*) echo "PASS";; *) echo "FAIL"; exit 1;; esac
EOF
uid=$(chroot "$ROOT" id -u admin)
chroot --userspec="$uid:$uid" "$ROOT" /bin/bash /home/admin/try.sh
