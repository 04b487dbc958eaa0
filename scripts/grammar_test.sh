#!/usr/bin/env bash
# Checks the VS Code extension's TextMate grammar (editors/vscode/syntaxes/) against every example, with the
# tokenizer VS Code itself uses: vscode-textmate over the Oniguruma regex engine (WebAssembly), installed once
# into .cache/grammar. Fails, never skips, when node or npm is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "grammar test: $tool is required (Node.js 18 or later) and was not found" >&2
    exit 1
  fi
done

dir="$PWD/.cache/grammar"
# Versions seen to work here; the lock is npm's own, in the cache folder.
textmate_spec='vscode-textmate@9'
oniguruma_spec='vscode-oniguruma@2'
if [ ! -f "$dir/node_modules/vscode-textmate/package.json" ] || [ ! -f "$dir/node_modules/vscode-oniguruma/release/onig.wasm" ]; then
  echo "[grammar] installing $textmate_spec and $oniguruma_spec into $dir" >&2
  mkdir -p "$dir"
  npm install --no-audit --no-fund --prefix "$dir" "$textmate_spec" "$oniguruma_spec" >"$dir/npm-install.log" 2>&1 || {
    tail -n 40 "$dir/npm-install.log" >&2
    exit 1
  }
fi
node editors/vscode/test/grammar.test.js "$dir"
