#!/usr/bin/env bash
# Runs every test the project has: formatting, lints, unit tests, the corpus, the CLI tests,
# the examples of every rulebook, and the embedding example. Installs what the tests need when it
# is missing (a test whose tool is missing fails; it never skips).
set -euo pipefail
cd "$(dirname "$0")/.."

need_component() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "installing $2"
    rustup component add "$2"
  fi
}
need_component rustfmt rustfmt
need_component cargo-clippy clippy

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== concord test: the examples of the bundled rulebooks and the standard library"
cargo run --quiet --locked -- test examples --stdlib
