#!/usr/bin/env bash
# Builds the Sealgate container image from scratch with buildah — no daemon, no base image.
#
# The image holds exactly the files listed in deploy/container/FILES (a test compares the
# image's layer with that list): the static sealgate binary, the CA bundle, passwd/group naming
# the unprivileged user 65532, the default configuration, and the empty data directory.
#
# Usage: deploy/container/build-image.sh [--binary PATH] [--tag NAME] [--archive PATH]
#   --binary   use this static binary instead of building one (it must be statically linked)
#   --tag      image name in buildah's storage (default localhost/sealgate:<version>)
#   --archive  also write the image as an OCI archive (e.g. target/image/sealgate.oci.tar)
# Environment:
#   SEALGATE_PROFILE    cargo profile of the binary (default `image`: release code without LTO,
#                       see [profile.image] in Cargo.toml; `release` for the slower full build)
#   CONTAINERS_ROOT     buildah/podman storage root (default: buildah's own); the run root is
#                       "$CONTAINERS_ROOT/run". Storage is vfs, which needs no kernel overlay.
#   SEALGATE_COMMIT     commit recorded in the binary and the image label (default: git HEAD)
# Runs as root (it fills the image through `buildah mount`); rootless: `buildah unshare` it.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=deploy/container

binary="" tag="" archive=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --tag) tag="$2"; shift 2 ;;
        --archive) archive="$2"; shift 2 ;;
        *) echo "build-image.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
commit=${SEALGATE_COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
tag=${tag:-localhost/sealgate:$version}
profile=${SEALGATE_PROFILE:-image}
target=x86_64-unknown-linux-gnu

if [ -z "$binary" ]; then
    # static-pie glibc: the C parts (aws-lc, vendored OpenSSL) link in too. Proc macros and
    # build scripts are host code and stay dynamic: --target keeps RUSTFLAGS away from them.
    RUSTFLAGS="-C target-feature=+crt-static" SEALGATE_COMMIT="$commit" \
        cargo build --locked -p sealgate --profile "$profile" --target "$target"
    binary=target/$target/$profile/sealgate
fi
# A dynamically linked binary would not start in an image without a libc: refuse it here.
if readelf -l "$binary" | grep -q 'Requesting program interpreter' \
    || readelf -d "$binary" | grep -q '(NEEDED)'; then
    echo "build-image.sh: $binary is not statically linked" >&2
    exit 1
fi

store=()
if [ -n "${CONTAINERS_ROOT:-}" ]; then
    store=(--root "$CONTAINERS_ROOT" --runroot "$CONTAINERS_ROOT/run")
fi
bah() { buildah "${store[@]}" --storage-driver vfs "$@"; }

ctr=$(bah from scratch)
trap 'bah rm "$ctr" >/dev/null 2>&1 || true' EXIT
# Fill the empty root file system directly (buildah mount, as root): every path, mode and
# owner is set here and nowhere else, matching FILES.
root=$(bah mount "$ctr")
install -d -m 0755 -o 0 -g 0 "$root/etc/sealgate" "$root/etc/ssl/certs" "$root/usr/local/bin" "$root/var/lib"
install -m 0755 -o 0 -g 0 "$binary" "$root/usr/local/bin/sealgate"
install -m 0644 -o 0 -g 0 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
install -m 0644 -o 0 -g 0 "$here/passwd" "$root/etc/passwd"
install -m 0644 -o 0 -g 0 "$here/group" "$root/etc/group"
install -m 0644 -o 0 -g 0 "$here/sealgate.toml" "$root/etc/sealgate/sealgate.toml"
install -d -m 0700 -o 65532 -g 65532 "$root/var/lib/sealgate"
bah umount "$ctr" >/dev/null

bah config \
    --user 65532:65532 \
    --workingdir /var/lib/sealgate \
    --entrypoint '["/usr/local/bin/sealgate"]' \
    --cmd 'serve --config /etc/sealgate/sealgate.toml' \
    --env SEALGATE_OCR=off \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --env MALLOC_ARENA_MAX=4 \
    --port 2525/tcp --port 9925/tcp \
    --volume /var/lib/sealgate \
    --stop-signal SIGTERM \
    --label org.opencontainers.image.title=sealgate \
    --label "org.opencontainers.image.description=Outbound email encryption gateway for healthcare" \
    --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.revision=$commit" \
    --label "org.opencontainers.image.source=$(sed -n 's/^repository = "\(.*\)"/\1/p' Cargo.toml | head -n 1)" \
    --label org.opencontainers.image.licenses=Apache-2.0 \
    --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$ctr"
bah commit --quiet --format oci --rm "$ctr" "$tag" >/dev/null
trap - EXIT
if [ -n "$archive" ]; then
    mkdir -p "$(dirname "$archive")"
    rm -f "$archive"
    bah push --quiet "$tag" "oci-archive:$archive"
fi
echo "built $tag ($binary, commit $commit)${archive:+, archive $archive}"
