# startrend — the two commands a newcomer needs are `make run` and `make test`.
GO ?= go
PKGS := ./...
FUZZTIME ?= 30s

.PHONY: run test bench fuzz lint build

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

# A bounded coverage-guided fuzzing pass over every fuzz target.
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
