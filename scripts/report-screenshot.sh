#!/usr/bin/env bash
# A manual check, not run by CI: renders a run's report.html with headless Chromium into a PNG, to look at the page
# as a reader's browser shows it (charts, tables, the summary) after changing its template or CSS.
#
#   scripts/report-screenshot.sh STATE/reports/RUN_ID/report.html [OUT.png]   # default OUT: /tmp/report.png
#
# Needs Chromium (Debian: apt-get install chromium). The page loads nothing, so no network is needed.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 REPORT.html [OUT.png]" >&2
  exit 2
fi
page="$(realpath "$1")"
out="${2:-/tmp/report.png}"
[[ -f "$page" ]] || { echo "no such file: $1" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$browser" ]] || { echo "no Chromium found (Debian: apt-get install chromium)" >&2; exit 2; }

"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 \
  --screenshot="$out" "file://$page" 2>/dev/null
echo "$out"
