#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the Debian and PyPI tools the tests run
# for real (tests/support/install-tools.sh), builds the sealgate binary the end-to-end tests
# start, then runs every test of the workspace. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/support/install-tools.sh

# A clean checkout gains nothing from incremental compilation, and its files cost disk.
export CARGO_INCREMENTAL=0

# The end-to-end scenarios run the real binary from the same target directory.
cargo build --locked -p sealgate
# tests/scenarios/image.rs puts the static binary into a container image: static-pie glibc, in
# the `image` profile (release code without LTO: minutes, not the half hour of a full release).
RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --locked -p sealgate --profile image --target x86_64-unknown-linux-gnu
# Scenarios start gateways and third-party servers; two test threads suit a 2-core machine.
cargo test --locked --workspace --no-fail-fast -- --test-threads=2
