#!/usr/bin/env bash
# Runs each fuzz target for a set time (default 600 s each) and reports the executions counted.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets it
# pass the sanitizer flags. Full logs land in fuzz/logs/<target>.log, crashing inputs in
# fuzz/artifacts/<target>/; copy those into tests/fuzz_regressions/<target>/ so
# `cargo test --test fuzz_regressions` keeps checking them.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=${*:-scenario dataset alas part request outputs check}
export RUSTC_BOOTSTRAP=1
# seed corpora from the project's own inputs
mkdir -p corpus/scenario corpus/dataset corpus/alas corpus/part corpus/request corpus/outputs corpus/check logs
cp ../scenarios/*.toml ../tests/bad_inputs/*/scenario.toml corpus/scenario/ 2>/dev/null || true
for f in ../data/kymenlaakso/*.csv; do printf '\001' | cat - "$f" > "corpus/dataset/$(basename "$f")"; done
cp ../tests/fixtures/alas/*.csv corpus/alas/ 2>/dev/null || true
# a real part file; the target also wraps its input with a valid checksum, so seed the payload
if [ ! -s corpus/part/payload ]; then
  parts=$(mktemp -d)
  cargo run -q --manifest-path ../Cargo.toml -- batch -q -n 8 --shard 1/2 \
    --data ../tests/fixtures/tiny --scenarios ../tests/fixtures/batch uncertain --out "$parts" &&
    tail -c +45 "$parts/batch/parts/part-1-of-2.kpart" > corpus/part/payload
  rm -rf "$parts"
fi
# the explorer's requests: bodies the page sends, and their neighbours
printf '%s' '{"scenario": "uncertain", "overrides": {"ev": {"value": 0.5, "full": 2028}}}' > corpus/request/evaluate
printf '%s' '{"scenario": "uncertain", "overrides": {"sink": {"value": 12}}, "attribution": true}' > corpus/request/attribution
printf '%s' '{"scenario": "uncertain", "overrides": {}, "name": "mine", "samples": 100, "seed": 7}' > corpus/request/batch
printf '%s' '{"scenario": "uncertain", "overrides": {"ev": {"value": 0.5}, "ev": {"full": 2030}}}' > corpus/request/repeated
# a real output folder (run and batch of the tiny dataset) for `outputs`; each of its files,
# behind the byte that picks it, seeds the corpus
if [ ! -s base/results.csv ]; then
  rm -rf base
  cargo run -q --manifest-path ../Cargo.toml -- batch -q -n 200 --data ../tests/fixtures/tiny \
    --scenarios ../tests/fixtures/batch uncertain --out base &&
    cargo run -q --manifest-path ../Cargo.toml -- run -q --no-charts --data ../tests/fixtures/tiny \
      --scenarios ../tests/fixtures/batch uncertain --out base
fi
i=0
for f in results.csv summary.csv metadata.json wedges.csv macc.csv difference.csv \
    batch/stats.csv batch/distributions.csv batch/summary.csv sensitivity.csv; do
  [ -s "base/$f" ] && printf "\\$(printf %o $i)" | cat - "base/$f" > "corpus/outputs/$(echo "$f" | tr / _)"
  i=$((i + 1))
done
# `check`: the picked name, EXPECTED, NUL, ACTUAL (NUL, tolerances)
if [ -s base/results.csv ]; then
  { printf '\000'; cat base/results.csv; printf '\000'; cat base/results.csv; } > corpus/check/results
  { printf '\001'; cat base/summary.csv; printf '\000'; sed 's/uncertain/other/' base/summary.csv; } > corpus/check/summary
  { printf '\000'; cat base/results.csv; printf '\000'; cat base/results.csv; printf '\000"Emissions|*" = { rtol = 1e-3 }\n'; } > corpus/check/tolerances
fi
failed=()
for t in $targets; do
  echo "== fuzzing $t for ${seconds}s"
  cargo fuzz build --release "$t" || { failed+=("$t (build)"); continue; }
  if cargo fuzz run --release "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
      >"logs/$t.log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "logs/$t.log"
  else
    failed+=("$t")
    grep -E 'ERROR|SUMMARY|panicked|Test unit written|^Done' "logs/$t.log" | head -n 20
  fi
done
if ((${#failed[@]})); then
  echo "failed: ${failed[*]} (see fuzz/logs/)"
  exit 1
fi
