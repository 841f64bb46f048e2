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
targets=${*:-scenario dataset alas part}
export RUSTC_BOOTSTRAP=1
# seed corpora from the project's own inputs
mkdir -p corpus/scenario corpus/dataset corpus/alas corpus/part logs
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
