# startrend — the two commands a newcomer needs are `make run` and `make test`.
GO ?= go
PKGS := ./...
FUZZTIME ?= 30s

.PHONY: run test bench fuzz lint build screenshots

# Runs the embedded default scenario and writes its run directory and report
# to out/<scenario name>/ (replacing a previous run of it).
run:
	$(GO) run ./cmd/startrend run --force

build:
	$(GO) build -o startrend ./cmd/startrend

# Everything CI checks: formatting, vet, and every test, including the fuzz
# targets' seed corpora (go test runs them as ordinary tests), and the DuckDB
# reader test, a module of its own so that cgo stays out of startrend.
test: lint
	$(GO) test -count=1 -timeout 15m $(PKGS)
	cd experiments/duckdbtest && $(GO) test -count=1 -timeout 10m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# Throughput benchmarks: first the engine on scenarios/bench-1m.yaml (one
# summary line: user-days/s/core, impressions/s, transitions/s, 2-worker
# speed-up, peak memory), then every other benchmark (CMA-ES evaluation
# counts, report write time, optimiser speed-up, hot phases).
bench:
	$(GO) test -run '^$$' -bench 'Bench1M$$' -benchtime 1x -timeout 60m ./sim
	$(GO) test -run '^$$' -bench . -skip 'Bench1M$$' -benchtime 1x -timeout 60m $(PKGS)

# A bounded coverage-guided fuzzing pass over every fuzz target, printing
# the executions of each (total and per second). Minimisation of a new
# input is capped (FUZZMINIMIZETIME; go test's default of 60 s per input
# used to take the whole pass).
FUZZMINIMIZETIME ?= 1s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    log=$$(mktemp); \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg >$$log 2>&1; rc=$$?; \
	    execs=$$(grep -o 'execs: [0-9]*' $$log | tail -1 | cut -d' ' -f2); \
	    echo "fuzz $$pkg $$f: $${execs:-0} executions in $(FUZZTIME) ($$(( $${execs:-0} / $(FUZZTIME:s=) ))/s)"; \
	    if [ $$rc -ne 0 ]; then cat $$log; rm -f $$log; exit 1; fi; \
	    rm -f $$log; \
	  done; \
	done

# The README's screenshots: the default scenario's report and an optimise
# report, opened in headless Chromium, first screen saved to docs/img/.
screenshots:
	STARTREND_SCREENSHOTS=$(CURDIR)/docs/img $(GO) test -count=1 -run '^TestScreenshots$$' -timeout 30m ./cmd/startrend
