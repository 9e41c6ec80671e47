#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the Debian and PyPI tools the tests run
# for real (tests/support/install-tools.sh), builds the sealgate binary the end-to-end tests
# start, then runs every test of the workspace. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/support/install-tools.sh

# The end-to-end scenarios run the real binary from the same target directory.
cargo build --locked -p sealgate
# Scenarios start gateways and third-party servers; two test threads suit a 2-core machine.
cargo test --locked --workspace --no-fail-fast -- --test-threads=2
