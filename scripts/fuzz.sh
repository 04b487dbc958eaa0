#!/usr/bin/env bash
# Runs each fuzz target (fuzz/fuzz_targets/: check, fmt, input, lsp_edits) for SECONDS (default 10) over a corpus seeded with
# every example and fixture. Fails on the first panic, hang (10 s) or assertion; libFuzzer leaves the input in
# fuzz/artifacts/TARGET/ (make it a fixture under tests/fixtures/, then fix). The test command runs it briefly;
# the hour-long runs and their figures are in docs/performance.md.
#   scripts/fuzz.sh [SECONDS] [TARGET...]        FUZZ_MAX_LEN (default 8192) bounds an input's bytes
# cargo-fuzz is installed into target/tools when missing. Targets are built in the dev profile, so overflow
# checks and debug assertions are on, and without a sanitizer: the fuzzed crates forbid unsafe code, so
# AddressSanitizer would only slow the build. FUZZ_RELEASE=1 builds optimized (with debug assertions) for long runs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(check fmt input lsp_edits)

tools="$(pwd)/${CARGO_TARGET_DIR:-target}/tools"
export PATH="$tools/bin:$PATH"
if ! command -v cargo-fuzz > /dev/null; then
  cargo install --locked --root "$tools" cargo-fuzz --version 0.13.2
fi

# Stable rustc accepts cargo-fuzz's -Z flags with RUSTC_BOOTSTRAP; no nightly toolchain is needed.
export RUSTC_BOOTSTRAP=1
profile=(--dev)
[ "${FUZZ_RELEASE:-0}" = 1 ] && profile=(--debug-assertions)
cd fuzz
# fuzz/ is its own workspace with its own target directory: its builds are instrumented for coverage.
unset CARGO_TARGET_DIR
cargo fuzz build "${profile[@]}" --sanitizer none
seeds=(../examples ../examples/lib ../tests/fixtures/ok ../tests/fixtures/err ../tests/fixtures/input ../tests/fixtures/lint)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  if ! cargo fuzz run "${profile[@]}" --sanitizer none "$target" "corpus/$target" "${seeds[@]}" -- \
    -dict=escher.dict -max_total_time="$seconds" -timeout=10 -max_len="${FUZZ_MAX_LEN:-8192}" > "$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/"
    exit 1
  fi
  grep -E '^(#[0-9]+[[:space:]]+DONE|Done )' "$log" || true
done
