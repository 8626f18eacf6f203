#!/usr/bin/env bash
# Makes a large vendor folder for batch timing: N copies of a vendor folder (default Corpus/vendors),
# each vendor renamed <vendor>-<i>. Text files get a unique last line so no two copies share bytes
# (the report cache is keyed by content); other files are copied as they are.
# Usage: tools/make-vendor-copies.sh OUT [N] [SRC]
set -euo pipefail
out=${1:?usage: make-vendor-copies.sh OUT [N] [SRC]}
n=${2:-200}
src=${3:-Corpus/vendors}
rm -rf "$out"
mkdir -p "$out"
for i in $(seq 1 "$n"); do
  for v in "$src"/*/; do
    v=${v%/}
    name=$(basename "$v")
    mkdir -p "$out/$name-$i"
    for f in "$v"/*; do
      [ -f "$f" ] || continue
      dest="$out/$name-$i/$(basename "$f")"
      cp "$f" "$dest"
      case "$f" in
        *.md|*.txt) [ -s "$f" ] && printf '\nCopy %d of this document.\n' "$i" >> "$dest" ;;
      esac
    done
  done
done
echo "$out: $(find "$out" -type f | wc -l) files in $(find "$out" -mindepth 1 -maxdepth 1 -type d | wc -l) vendor folders"
