#!/usr/bin/env bash
# libFuzzer over each extractor, the clause-file loader and the whole review (docs/hostile.md).
#
#   tools/fuzz.sh [TARGET...]        targets: pdf docx html text clauses review (default: all)
#   FUZZ_SECONDS=110                 seconds per target (default 110: six targets make 11 minutes)
#   FUZZ_JOBS=1                      libFuzzer -fork workers per target (the machine is shared: 1)
#
# Builds the library modules with `swift build --sanitize fuzzer --sanitize address` into .build-fuzz
# (gitignored), links each Fuzz/Fuzz<Target>.swift entry point against their objects with swiftc, seeds a
# corpus per target from Corpus/, Clauses/ and tools/make-hostile (kept in .build-fuzz/corpus, so a later
# run starts where this one stopped), and runs each target for FUZZ_SECONDS. A crash, leak, timeout
# (-timeout, one input) or out-of-memory (-rss_limit_mb) is written to fuzz-artifacts/<target>-*, the
# script goes on with the other targets and exits 1 at the end. Add each artifact to
# Tests/BAAHostileTests/Fixtures/fuzz/ and a test named after it.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=$ROOT/.build-fuzz
BIN=$SCRATCH/fuzzers
CORPUS=$SCRATCH/corpus
LOGS=$SCRATCH/logs
ARTIFACTS=$ROOT/fuzz-artifacts
FUZZ_SECONDS=${FUZZ_SECONDS:-110}
FUZZ_JOBS=${FUZZ_JOBS:-1}
ALL=(pdf docx html text clauses review)
TARGETS=("${@:-${ALL[@]}}")
mkdir -p "$BIN" "$CORPUS" "$LOGS" "$ARTIFACTS"

# SwiftPM's --sanitize fuzzer does not give Swift modules coverage counters (only C targets get them), so
# libFuzzer would fuzz blind (a dozen edges); -sanitize-coverage puts the counters into the Swift code.
echo "== building instrumented modules (swift build --sanitize fuzzer --sanitize address, $SCRATCH)"
swift build --scratch-path "$SCRATCH" --sanitize fuzzer --sanitize address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp --target BAAReview 2>&1 | grep -E "error|warning: .*Fuzz|Compiling|Build" | grep -v "^\[" | tail -5
[ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz: instrumented build failed" >&2; exit 2; }

D=$SCRATCH/debug
OBJECTS=$(ls $D/BAAReview.build/*.o $D/BAAExtract.build/*.o $D/BAAClauses.build/*.o $D/PCRE2.build/*.o $D/BAAUtil.build/*.o \
             $D/ZIPFoundation.build/*.o $D/Yams.build/*.o $D/CYaml.build/src/*.o 2>/dev/null)
MODULEMAPS=""
for m in Sources/CPoppler Sources/CLibXML2 Sources/CTesseract Sources/CPCRE2 \
         "$SCRATCH/checkouts/ZIPFoundation/Sources/CZLib" "$SCRATCH/checkouts/Yams/Sources/CYaml/include"; do
  MODULEMAPS="$MODULEMAPS -Xcc -fmodule-map-file=$m/module.modulemap"
done
CFLAGS=""
for f in $(pkg-config --cflags poppler-glib libxml-2.0 libpcre2-8); do CFLAGS="$CFLAGS -Xcc $f"; done
LIBS="$(pkg-config --libs poppler-glib libxml-2.0 libpcre2-8) -lz -ldl"

max_len() { case $1 in pdf) echo 120000;; docx) echo 80000;; html) echo 65536;; text) echo 32768;; clauses) echo 16384;; review) echo 16384;; esac; }
name() { case $1 in pdf) echo PDF;; docx) echo DOCX;; html) echo HTML;; text) echo Text;; clauses) echo Clauses;; review) echo Review;; esac; }

seed() {
  local t=$1 dir=$CORPUS/$1
  [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && return
  mkdir -p "$dir"
  local hostile=$SCRATCH/hostile
  [ -d "$hostile" ] || python3 tools/make-hostile "$hostile" >/dev/null
  case $t in
    pdf)     cp Corpus/formats/*.pdf Corpus/vendors/*/*.pdf "$dir"/ 2>/dev/null
             for f in truncated loop-pages loop-kids loop-form pages-count corrupt encrypted; do cp "$hostile/$f.pdf" "$dir"/ 2>/dev/null; done ;;
    docx)    cp Corpus/formats/*.docx "$dir"/
             for f in billion-laughs external-entity external-entity-utf16 zip-slip deep; do cp "$hostile/$f.docx" "$dir"/; done ;;
    html)    cp Corpus/formats/*.html "$dir"/; cp "$hostile/billion-laughs.html" "$dir"/
             head -c 60000 "$hostile/deep.html" > "$dir/deep-prefix.html" ;;
    text)    for f in Corpus/agreements/*.md; do head -c 8000 "$f" > "$dir/$(basename "$f")"; done
             cp Corpus/vendors/*/*.txt "$hostile/invalid-utf8.txt" "$dir"/ 2>/dev/null
             printf '\xff\xfeB\x00A\x00A\x00\n\x00' > "$dir/utf16le.txt"; printf 'caf\xe9 \x93quoted\x94\n' > "$dir/cp1252.txt" ;;
    clauses) cp Clauses/*.yaml "$dir"/; rm -f "$dir/_macros.yaml" ;;
    review)  for f in Corpus/agreements/*.md; do head -c 12000 "$f" > "$dir/$(basename "$f")"; done ;;
  esac
}

declare -A RUNS SECS STATUS
failed=0
for t in "${TARGETS[@]}"; do
  n=$(name "$t")
  [ -n "$n" ] || { echo "fuzz: unknown target $t (known: ${ALL[*]})" >&2; exit 2; }
  echo "== $t: linking $BIN/fuzz-$t"
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -g -I "$D/Modules" $MODULEMAPS $CFLAGS \
    "Fuzz/Fuzz$n.swift" $OBJECTS $LIBS -o "$BIN/fuzz-$t" 2>&1 | grep -v "Cannot export local symbol" | grep -E "error|warning: " | head -20
  [ -x "$BIN/fuzz-$t" ] || { echo "fuzz: link failed for $t" >&2; failed=1; continue; }
  seed "$t"
  echo "== $t: fuzzing for $FUZZ_SECONDS s (corpus $CORPUS/$t, $(ls "$CORPUS/$t" | wc -l) inputs)"
  start=$(date +%s)
  BAA_CLAUSES=$ROOT/Clauses OMP_THREAD_LIMIT=1 ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 LSAN_OPTIONS=suppressions=$ROOT/Fuzz/lsan.supp:print_suppressions=0 \
    "$BIN/fuzz-$t" "$CORPUS/$t" -max_total_time="$FUZZ_SECONDS" -timeout=25 -rss_limit_mb=2560 -malloc_limit_mb=2560 \
      -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$t-" \
      $([ "$FUZZ_JOBS" -gt 1 ] && echo "-fork=$FUZZ_JOBS") > "$LOGS/$t.log" 2>&1
  status=$?
  SECS[$t]=$(( $(date +%s) - start ))
  RUNS[$t]=$(grep -oE "stat::number_of_executed_units: [0-9]+" "$LOGS/$t.log" | awk '{s+=$2} END {print s+0}')
  [ "${RUNS[$t]}" = 0 ] && RUNS[$t]=$(grep -oE "^Done [0-9]+ runs" "$LOGS/$t.log" | awk '{s+=$2} END {print s+0}')
  if [ $status = 0 ]; then STATUS[$t]=ok; else
    STATUS[$t]="FAILED (exit $status): $(grep -m1 -E "ERROR: |==ERROR|Timeout|out-of-memory|leak" "$LOGS/$t.log" | cut -c1-120)"
    failed=1
  fi
  echo "   $t: ${STATUS[$t]}, ${RUNS[$t]} executions in ${SECS[$t]} s (log $LOGS/$t.log)"
done

echo "== summary (FUZZ_SECONDS=$FUZZ_SECONDS)"
total_runs=0; total_secs=0
for t in "${TARGETS[@]}"; do
  printf '  %-8s %10s executions  %5s s  %s\n' "$t" "${RUNS[$t]:-0}" "${SECS[$t]:-0}" "${STATUS[$t]:-not run}"
  total_runs=$((total_runs + ${RUNS[$t]:-0})); total_secs=$((total_secs + ${SECS[$t]:-0}))
done
printf '  %-8s %10s executions  %5s s\n' total "$total_runs" "$total_secs"
ls "$ARTIFACTS" 2>/dev/null | grep -q . && echo "artifacts in $ARTIFACTS: $(ls "$ARTIFACTS" | tr '\n' ' ')"
exit $failed
