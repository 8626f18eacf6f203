# baa: HIPAA Business Associate Agreement analyzer.
# `make run` and `make test` work on a fresh Debian 12 machine with only the Swift toolchain.
SHELL := /bin/bash
SWIFT ?= swift
DEBS := libpcre2-dev libssl-dev libpoppler-glib-dev libxml2-dev libtesseract-dev libleptonica-dev tesseract-ocr-eng poppler-utils pkg-config
# Test and corpus tooling (rendering the team's agreements to PDF/DOCX/scans, the benchmark baselines; chromium opens
# the HTML report headless in HTMLBrowserTests, python3-html5lib validates it, python3-jsonschema checks the JSON schema).
TOOL_DEBS := ripgrep qpdf time chromium python3-html5lib python3-jsonschema
BIN := .build/debug/baa
SAMPLE ?= Corpus/agreements/c001-hhs-style-complete.md

.PHONY: run test deps build release bench fuzz clean rules-test eval hyperscan-probe install report-screenshots

# Installs only what is missing; apt-get update first, as a fresh machine has no lists.
deps:
	@missing=""; for p in $(DEBS) $(TOOL_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build --product baa

release: deps
	$(SWIFT) build -c release --product baa

# A reviewer's view of one agreement, then the vendor table for the sample vendor folder.
run: build
	$(BIN) review $(SAMPLE)
	@echo
	$(BIN) batch Corpus/vendors --cache .build/baa-cache

# The HTML report of a team agreement, and chromium's screenshots of it (outside git, under .build/).
SHOT_SAMPLE ?= Corpus/agreements/c006-imaging-ai-baa-halcyon.txt
report-screenshots: build
	mkdir -p .build/report-screenshots
	$(BIN) review --format html $(SHOT_SAMPLE) -o .build/report-screenshots/report.html
	$(BIN) review --format html --redact $(SHOT_SAMPLE) -o .build/report-screenshots/report-redacted.html
	cd .build/report-screenshots && for p in report report-redacted; do \
	  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-background-networking \
	    --host-resolver-rules="MAP * ~NOTFOUND" --window-size=1100,920 --screenshot=$$PWD/$$p-top.png file://$$PWD/$$p.html 2>/dev/null; \
	  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-background-networking \
	    --host-resolver-rules="MAP * ~NOTFOUND" --window-size=1280,6000 --screenshot=$$PWD/$$p-full.png file://$$PWD/$$p.html 2>/dev/null; \
	done; ls -l *.png

rules-test: build
	$(BIN) rules test

test: deps
	$(SWIFT) build --build-tests
	$(BIN) rules test
	@# XCTest in one process, every test case's line printed; `Executed N tests` closes the run, and the
	@# summary line below counts the cases from the log. --disable-swift-testing: the suites are XCTest only.
	@OMP_THREAD_LIMIT=1 $(SWIFT) test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log; \
	status=$${PIPESTATUS[0]}; \
	passed=$$(grep -c "^Test Case '.*' passed" .build/test.log || true); \
	failed=$$(grep -c "^Test Case '.*' failed" .build/test.log || true); \
	skipped=$$(grep -c "^Test Case '.*' skipped" .build/test.log || true); \
	echo "tests: $${passed:-0} passed, $${failed:-0} failed, $${skipped:-0} skipped"; \
	if [ "$$status" = 0 ] && [ "$${passed:-0}" = 0 ]; then echo "make test: no test ran" >&2; exit 1; fi; \
	exit $$status

# Benchmark (not a test): corpora of 100/1,000/10,000 documents in $$BENCH_DIR (default /tmp/baa-bench), outside git.
# BENCH_QUICK=1: 100 and 1,000 only. Results: bench/results/latest.{json,md}; the table goes into docs/bench.md.
bench: deps
	@command -v /usr/bin/time >/dev/null || { echo "installing time"; $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq time >/dev/null; }
	$(SWIFT) build -c release --product baa
	python3 tools/bench.py

# libFuzzer on each extractor, the clause loader and the review: FUZZ_SECONDS per target (default 110, six
# targets: 11 minutes); crashes go to fuzz-artifacts/ (docs/hostile.md).
fuzz: deps
	FUZZ_SECONDS=$${FUZZ_SECONDS:-110} tools/fuzz.sh

# Installs the release build and the clause library under PREFIX (default /usr/local): PREFIX/bin/baa finds
# PREFIX/share/baa/Clauses by its own location, from any folder.
PREFIX ?= /usr/local
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/baa/Clauses
	install -m 0755 .build/release/baa $(DESTDIR)$(PREFIX)/bin/baa
	install -m 0644 Clauses/*.yaml $(DESTDIR)$(PREFIX)/share/baa/Clauses/

clean:
	rm -rf .build

# Hyperscan (libhyperscan-dev, amd64 only) over the clause library, to judge it as the matching stage's prefilter:
# compile time, database size, scan speed over the benchmark's normalized text (docs/bench.md has the figures).
hyperscan-probe: release
	@dpkg-query -W -f='$${Status}' libhyperscan-dev 2>/dev/null | grep -q "install ok installed" || \
	  { $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq libhyperscan-dev >/dev/null; }
	mkdir -p .build/probe
	cc -O2 -Wall -o .build/probe/hyperscan-probe tools/hyperscan-probe.c $$(pkg-config --cflags --libs libhs)
	.build/release/baa bench-match --repeat 1 --patterns-out .build/probe/patterns.txt --text-out .build/probe/text.txt \
	  --literals-out .build/probe/literals.txt $$(ls ../shared/corpus-real/docs/*.txt 2>/dev/null) Corpus/agreements/*.md >/dev/null
	.build/probe/hyperscan-probe .build/probe/patterns.txt .build/probe/text.txt .build/probe/literals.txt
