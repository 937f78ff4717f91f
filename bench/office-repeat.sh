#!/usr/bin/env bash
# bench/office-repeat: render every office fixture N times in a row with `faxgate render` and print each file's
# outcomes, so a flaky conversion (a false refusal) shows as a file with more than one distinct outcome.
# Run on demand after a build: bash bench/office-repeat.sh [N=10]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flaky=0
printf '%-36s %-5s %s\n' file runs outcomes
for f in fixtures/office/*; do
  : > "$work/outcomes"
  for _ in $(seq 1 "$n"); do
    if out=$(FAXGATE_DATA_DIR="$work/var" node dist/src/cli.js render --json -o "$work/out.tif" "$f" 2>&1); then
      echo "faxed $(sed -n 's/.*"pages": *\([0-9]*\).*/\1/p' <<<"$out" | head -1) pages" >> "$work/outcomes"
    else
      sed -n 's/^faxgate render: [^:]*: //p' <<<"$out" | head -1 >> "$work/outcomes"
    fi
  done
  distinct=$(sort "$work/outcomes" | uniq -c | sed 's/^ *//' | paste -sd ';' -)
  [ "$(sort -u "$work/outcomes" | wc -l)" -gt 1 ] && flaky=$((flaky + 1))
  printf '%-36s %-5s %s\n' "$(basename "$f")" "$n" "$distinct"
done
echo "files with more than one outcome: $flaky"
[ "$flaky" -eq 0 ]
