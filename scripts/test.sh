#!/usr/bin/env bash
# Runs every test the project has: formatting, lints, unit tests, the corpus, the CLI tests,
# the examples of every rulebook, the embedding example, the language server end to end, the
# HTML analysis report in headless Chromium, the VS Code extension's build and grammar tests, and
# the agreement of the benchmark's peers (Cedar, regorus) with the hand-written floor.
# Installs what the tests need when it is missing (a test whose tool is missing fails; it never
# skips).
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

apt_install() {
  echo "installing $* (Debian packages)"
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
}

# Headless Chromium for tests/html_chromium.rs (the HTML analysis report in a browser).
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi
# Node.js and npm for the VS Code extension (editors/vscode).
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== language server, end to end over stdio (pytest-lsp)"
lsp_venv=target/lsp-venv
if ! "$lsp_venv/bin/python" -c "import pytest_lsp" >/dev/null 2>&1; then
  echo "installing pytest-lsp into $lsp_venv"
  python3 -m venv "$lsp_venv"
  "$lsp_venv/bin/python" -m pip install --quiet "pytest-lsp==1.0.1"
fi
cargo build --quiet --locked --bin concord
target_dir="$(cargo metadata --format-version 1 --no-deps --locked | "$lsp_venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
PYTHONDONTWRITEBYTECODE=1 CONCORD_BIN="$target_dir/debug/concord" "$lsp_venv/bin/python" -m pytest -q -p no:cacheprovider tests/lsp
echo "== VS Code extension: npm ci, build, grammar tests (editors/vscode)"
(
  cd editors/vscode
  # Quiet when it passes; the whole output when a step fails.
  for step in "npm ci --no-audit --no-fund --loglevel=error" "npm run --silent build" "npm test --silent"; do
    if ! output="$($step 2>&1)"; then
      echo "$output"
      echo "failed: $step"
      exit 1
    fi
  done
)
echo "== concord check and test: the bundled rulebooks, the standard library's files and its embedded copy"
cargo run --quiet --locked -- check examples stdlib
cargo run --quiet --locked -- test examples --stdlib
echo "== bench/: clippy, then Concord, Cedar and regorus agree with the hand-written floor (release build kept in a target dir outside the clone)"
bash scripts/bench_peers.sh --check
