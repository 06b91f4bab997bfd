#!/usr/bin/env bash
# Concord against Cedar, regorus (interpreter and RVM) and a hand-written Rust floor, on one
# slice of the EU AI Act with 0, 10, 100 and 1,000 synthetic extra rules (bench/, its own
# workspace, so that a plain build of the project never compiles Cedar).
#
#   bash scripts/bench_peers.sh            check agreement, then time and print the tables
#   bash scripts/bench_peers.sh --check    only check that every engine agrees with the floor
#                                          (after clippy of the benchmark crate, -D warnings,
#                                          and its own unit tests)
#
# Other arguments go to the benchmark (`--help` lists them). The release build goes to
# ${CONCORD_BENCH_TARGET:-$HOME/.cache/concord-bench-target}, which outlives the clone, so only
# the first run on a machine compiles Cedar and regorus.
#
# Not --locked: bench/Cargo.lock pins Cedar, regorus and the rest, and when concord-lang gains a
# dependency Cargo only adds it to that lock, so a change in lang/ does not break this script.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CONCORD_BENCH_TARGET:-$HOME/.cache/concord-bench-target}"
cargo build --quiet --release --manifest-path bench/Cargo.toml
if [ "${1:-}" = "--check" ]; then
  cargo clippy --quiet --release --manifest-path bench/Cargo.toml --all-targets -- -D warnings
  cargo test --quiet --release --manifest-path bench/Cargo.toml
fi
exec "$CARGO_TARGET_DIR/release/concord-bench-peers" "$@"
