#!/usr/bin/env bash
# Pages per second for text PDFs: our extractor (`baa extract --quiet`, in process through poppler-glib,
# plus normalization) against `pdftotext` (poppler-utils) on the same files.
#
# Usage: tools/bench-extract.sh [-n ROUNDS] [PDF ...]
# Defaults: the text PDFs in Corpus/formats (not the scanned ones) and, when present,
# ../shared/corpus-real/orig/*.pdf; 20 rounds. Build first: swift build -c release --product baa
# Set OMP_THREAD_LIMIT=1 so an OCR'd page does not start competing threads (only text PDFs are timed).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1
rounds=20
if [[ "${1:-}" == "-n" ]]; then rounds=$2; shift 2; fi
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  for f in Corpus/formats/*.pdf ../shared/corpus-real/orig/*.pdf; do
    [[ -f "$f" && "$f" != *-scanned.pdf ]] && files+=("$f")
  done
fi
[[ ${#files[@]} -gt 0 ]] || { echo "no PDF files to measure" >&2; exit 2; }
command -v pdftotext >/dev/null || { echo "pdftotext not found (apt-get install poppler-utils)" >&2; exit 2; }

pages=0
for f in "${files[@]}"; do
  n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
  pages=$((pages + ${n:-0}))
done
echo "files: ${#files[@]}, pages per round: $pages, rounds: $rounds"

now() { date +%s.%N; }
rate() { awk -v p="$1" -v s="$2" 'BEGIN { printf "%.0f pages/s (%.3f s for %d pages)", (s > 0 ? p / s : 0), s, p }'; }

# pdftotext: one process per file, as a script would call it.
start=$(now)
for ((r = 0; r < rounds; r++)); do
  for f in "${files[@]}"; do pdftotext "$f" - >/dev/null; done
done
end=$(now)
echo "pdftotext:      $(rate $((pages * rounds)) "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")"

BAA=.build/release/baa
if [[ ! -x "$BAA" ]]; then
  echo "baa extract:    skipped ($BAA not built: swift build -c release --product baa)"
  exit 0
fi
if ! "$BAA" extract --quiet "${files[0]}" >/dev/null 2>&1; then
  echo "baa extract:    skipped (this build has no working \`baa extract\` subcommand)"
  exit 0
fi
# Ours: all files in one process per round (in-process poppler; process start counted once per round).
start=$(now)
for ((r = 0; r < rounds; r++)); do "$BAA" extract --quiet "${files[@]}" >/dev/null; done
end=$(now)
echo "baa extract:    $(rate $((pages * rounds)) "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")"
