#!/usr/bin/env bash
# Runs each fuzz target for a set time (default 600 s each).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets it
# pass the sanitizer flags. Crashing inputs land in fuzz/artifacts/<target>/; copy them into
# tests/fuzz_regressions/<target>/ so `cargo test --test fuzz_regressions` keeps checking them.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=${*:-scenario dataset alas}
export RUSTC_BOOTSTRAP=1
mkdir -p corpus
# seed corpora from the project's own inputs
mkdir -p corpus/scenario corpus/dataset corpus/alas
cp ../scenarios/*.toml ../tests/bad_inputs/*/scenario.toml corpus/scenario/ 2>/dev/null || true
for f in ../data/kymenlaakso/*.csv; do printf '\001' | cat - "$f" > "corpus/dataset/$(basename "$f")"; done
cp ../tests/fixtures/alas/*.csv corpus/alas/ 2>/dev/null || true
for t in $targets; do
  echo "== fuzzing $t for ${seconds}s"
  cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 2>&1 | tail -n 3
done
