#!/usr/bin/env bash
# The kill-anywhere soak: tests/kill_anywhere.rs with many more kills than the test command's 20.
#   scripts/soak.sh [KILLS] [SEED]     (defaults: 500 kills, seed 2026)
# Prints the kills made, the problems found and how many kills left a batch in doubt; fails on any problem.
# Figures are recorded in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export ESCHER_KILLS="${1:-500}" ESCHER_KILL_SEED="${2:-2026}"
start=$(date +%s)
cargo test --locked --test kill_anywhere a_run_killed_anywhere -- --nocapture
echo "soak: $ESCHER_KILLS kills (seed $ESCHER_KILL_SEED) in $(( $(date +%s) - start )) s"
