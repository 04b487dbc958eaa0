#!/usr/bin/env bash
# The whole test suite: formatting, lints, every test (unit, integration, fixtures, snapshots, property tests,
# doc tests), and every example through the command line. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# Snapshots are compared, never written: a pending or stale snapshot fails the run.
export INSTA_UPDATE=no
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A clean build gains nothing from incremental state, which would cost gigabytes of disk on a CI machine.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The binary without its cloud SDKs (`--no-default-features --features cli`) builds too, as docs/aws.md
# promises; the library alone (`--no-default-features`) needs only the compiler.
cargo clippy -p escher --no-default-features --features cli --locked -- -D warnings
cargo clippy -p escher --no-default-features --lib --locked -- -D warnings
if cargo tree -q --locked -p escher --no-default-features -e normal | grep -E '\b(clap|indicatif|aws-config)\b'; then
  echo "the escher library pulls a command-line crate or a cloud SDK"
  exit 1
fi
# Without its cloud features the binary links no cloud SDK either (docs/aws.md, docs/azure.md).
if cargo tree -q --locked -p escher --no-default-features --features cli -e normal | grep -E '\b(aws-config|azure_core|azure_identity)\b'; then
  echo "escher --no-default-features --features cli pulls a cloud SDK"
  exit 1
fi

step "emulators: moto, Azurite, fake-gcs-server, an SMTP server on 127.0.0.1"
# Each test run gets its own emulators (own ports, pids and data); the suite fails if one does not start.
ESCHER_EMULATORS_RUN=$(mktemp -d)
export ESCHER_EMULATORS_RUN ESCHER_EMULATORS_ENV="$ESCHER_EMULATORS_RUN/env"
trap 'scripts/emulators.sh stop; rm -rf "$ESCHER_EMULATORS_RUN"' EXIT
scripts/emulators.sh start
# shellcheck disable=SC1090
. "$ESCHER_EMULATORS_ENV"

step "cargo test"
cargo test --workspace --locked
# Azure service principals that sign in with a certificate (OpenSSL, behind escher-azure's `certificate` feature).
cargo test --locked -p escher-azure --features certificate --test replay certificate

step "the grammar exports under llguidance, and escher ask against a real model (decoding/, its own workspace)"
# Its own workspace so that llguidance's serde_json features never reach the main one's builds (decoding/Cargo.toml).
target_dir=${CARGO_TARGET_DIR:-target}
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
cargo fmt --manifest-path decoding/Cargo.toml -- --check
cargo clippy --locked --manifest-path decoding/Cargo.toml --all-targets -- -D warnings
ESCHER_BIN="$target_dir/debug/escher" cargo test --locked --manifest-path decoding/Cargo.toml

step "fuzz targets, 10 s each (scripts/fuzz.sh; the hour-long runs are in docs/performance.md)"
scripts/fuzz.sh 10

step "no pending snapshots"
pending=$(find . \( -path './target*' -o -path ./.cache \) -prune -o \( -name '*.snap.new' -o -name '*.pending-snap' \) -print)
if [ -n "$pending" ]; then
  echo "pending insta snapshots (review and commit them):"
  echo "$pending"
  exit 1
fi

step "every example checks and is formatted, through the CLI (tests/examples.rs also plans each one)"
escher="${CARGO_TARGET_DIR:-target}/debug/escher"
"$escher" check examples/*.esc examples/lib/*.esc
"$escher" fmt --check examples/*.esc examples/lib/*.esc

step "the VS Code extension's grammar highlights every example (vscode-textmate, as VS Code does)"
scripts/grammar_test.sh

step "embedding: examples/embed runs a governed run, suspends and resumes it, on escher-engine alone"
cargo run -q --locked -p escher-example-embed
# A host that depends only on the engine pulls no terminal or command-line crate.
if cargo tree -q --locked -p escher-example-embed -e normal | grep -E '\b(clap|indicatif)\b'; then
  echo "escher-engine pulls a command-line crate into its hosts"
  exit 1
fi

echo
echo "all checks passed"
