#!/usr/bin/env bash
# Times the consistency analysis end to end (whole process, every witness replayed):
#   1. EU AI Act against California SB 53 through the standard library's mapping;
#   2. a generated pair of N-rule rulebooks (default 1,000) with a mapping between them.
# Each is printed with `concord check` of the same rulebooks as the baseline measured in the same
# run, so the figures read as ratios on a shared, noisy machine.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
cargo build --quiet --release --locked --bin concord
bin=target/release/concord
out=target/bench-analysis
python3 scripts/gen_analysis_bench.py "$out" "$n"

measure() { # label, command…
  local label="$1"; shift
  local stats
  /usr/bin/time -o "$out/time.txt" -f "%e %M" "$@" >/dev/null 2>&1 || true
  stats=$(tail -1 "$out/time.txt")
  echo "$label: ${stats% *} s, ${stats#* } KB max RSS"
}

echo "== EU AI Act against California SB 53 (stdlib mapping)"
measure "check (baseline)" "$bin" check stdlib
measure "conflicts" "$bin" conflicts eu.ai_act us.ca.sb53 --mapping map.eu_ai_act.us_ca_sb53 --as-of 2028-01-01 --format json
echo "== generated pair, $n rules each, with a mapping"
measure "check (baseline)" "$bin" check "$out"
measure "conflicts" "$bin" conflicts "$out/a.concord" "$out/b.concord" --mapping "$out/mapping.concord" --as-of 2027-01-01 --format json
measure "analyze A" "$bin" analyze "$out/a.concord" --as-of 2027-01-01 --format json
"$bin" conflicts "$out/a.concord" "$out/b.concord" --mapping "$out/mapping.concord" --as-of 2027-01-01 --format json \
  | python3 -c 'import json,sys,collections; r=json.load(sys.stdin); print("findings:", dict(collections.Counter(f["kind"] for f in r["findings"])), "all witnesses replayed:", all(w["replayed"] for f in r["findings"] for w in f.get("witnesses", [])))'
