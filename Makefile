# benchctl: `make run` runs the shipped scenarios (simulated GPUs and the fake
# pipeline where no GPU is present); `make test` runs every test.

GO        ?= go
BIN       := bin
RESULTS   ?= reports/latest
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS   := -extldflags=-Wl,-z,lazy -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# go-nvml's header is noisy; lazy binding lets the binary start without a driver.
export CGO_CFLAGS := -Wno-deprecated-declarations
PYTHON    ?= python3
# A fake pipeline that meets the plan's thresholds, fast enough for a demo.
# Per-sequence time dominates start-up, so speed-ups stand well above timing noise.
FAKEPIPE_KNOBS ?= --time-per-seq 40ms --startup 10ms --load-time 150ms --streams-speedup 30% --util 95

.PHONY: all build build-deps run test vet fmt-check tidy-check schema test-go test-race test-python test-deps test-postgres test-postgres-down test-slurm test-slurm-down clean test-busy

all: build

# urfave_cli_no_docs leaves out the CLI's man-page writer, whose markdown
# library's package init cost every benchctl process (and every supervisor
# between benchctl and a pipeline) half a millisecond of start-up.
TAGS      := urfave_cli_no_docs

build: build-deps
	$(GO) build -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN)/benchctl ./cmd/benchctl
	$(GO) build -o $(BIN)/fakepipe ./workloads/fakepipe
	@# bench/startup's pipeline, static, for machines without a C compiler.
	@$(CC) -O2 -static -o $(BIN)/stamp bench/startup/stamp.c 2>/dev/null || $(CC) -O2 -o $(BIN)/stamp bench/startup/stamp.c

# With a GPU the scenarios run against the PyTorch stand-in (workloads/virnucsim)
# on real GPUs; without one, against the fake pipeline on 4 simulated GPUs.
run: build
	@mkdir -p $(RESULTS)
	@if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
		echo "GPU found: running the scenarios against workloads/virnucsim"; \
		PYTHONPATH=workloads $(BIN)/benchctl run --force --results-dir $(RESULTS) \
			--var pipeline="$(PYTHON) -m virnucsim" --var pipeline_flags="--size small" \
			--var preset=quick --var sequences_per_file=150 \
			--out junit=$(RESULTS)/junit.xml --out markdown=$(RESULTS)/summary.md --out html=$(RESULTS)/report.html \
			scenarios/*.lua; \
	else \
		echo "no GPU: running the scenarios on simulated GPUs against the fake pipeline"; \
		$(BIN)/benchctl run --force --gpu-backend sim --results-dir $(RESULTS) \
			--var pipeline="$(BIN)/fakepipe $(FAKEPIPE_KNOBS)" --var preset=quick --var sequences_per_file=20 \
			--out junit=$(RESULTS)/junit.xml --out markdown=$(RESULTS)/summary.md --out html=$(RESULTS)/report.html \
			scenarios/*.lua; \
	fi

# Debian packages the tests need: xmllint validates JUnit against the schema;
# headless chromium renders the HTML report (reporters/html/browser_test.go).
# .ci/need installs a missing Debian package as root or through sudo, or says
# what to install; without xmllint or chromium the tests that need them skip
# and say so (make test prints every skip with its reason).
test-deps:
	@.ci/need --optional xmllint libxml2-utils "validates JUnit against testdata/junit/JUnit.xsd"
	@.ci/need --optional chromium chromium "renders the HTML report headless"

# cgo (go-nvml) needs a C compiler.
build-deps:
	@.ci/need gcc gcc "cgo builds go-nvml"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# go.mod and go.sum must be what `go mod tidy` makes of them. The check keeps
# copies, runs tidy, compares and puts the copies back, so it never edits the tree.
tidy-check:
	@tmp=$$(mktemp -d); cp go.mod go.sum $$tmp/; ok=1; \
	$(GO) mod tidy || ok=0; \
	if ! cmp -s go.mod $$tmp/go.mod || ! cmp -s go.sum $$tmp/go.sum; then ok=0; \
		echo "go.mod/go.sum are not tidy (run go mod tidy):"; \
		diff -u $$tmp/go.mod go.mod; diff -u $$tmp/go.sum go.sum; fi; \
	cp $$tmp/go.mod $$tmp/go.sum .; rm -rf $$tmp; [ $$ok = 1 ]

# Regenerates result/schema/results.schema.json from the result model. It refuses
# to drop or rename a field while result.SchemaVersion stays the same.
schema:
	$(GO) generate ./result/schema

test-race:
	$(GO) test -race -count=1 ./engine/... ./probes/... ./proctree/... ./reporters/...

# go test's own default (10 minutes a package) is too tight for the scenario
# tests on a loaded 2-core machine; a hung test still ends, with its stacks.
# The scenario tests run after the other packages, alone: their fake pipeline's
# times and the sampled utilization are steadier on a machine not also
# compiling and testing everything else.
GO_TEST_TIMEOUT ?= 30m

# The history tests run on SQLite and on a real PostgreSQL: .ci/postgres
# installs Debian's postgresql and starts a throwaway cluster under /tmp as
# the postgres user; BENCHCTL_TEST_POSTGRES tells the tests where it is. Set
# it yourself to test against another server.
# The supervisor once more without cgo: it then starts the pipeline from Go
# (prestart_nocgo.go), not from its C constructor.
test-go:
	@url="$${BENCHCTL_TEST_POSTGRES:-$$(.ci/postgres up)}" || { \
		echo "PostgreSQL could not be started: the history tests say so and run on SQLite only"; url=; }; \
	BENCHCTL_TEST_POSTGRES="$$url" GO=$(GO) .ci/gotest -count=1 -timeout $(GO_TEST_TIMEOUT) \
		$$($(GO) list ./... | grep -v '/scenarios$$') && \
	TESTLOG=bin/test-scenarios.log GO=$(GO) .ci/gotest -count=1 -timeout $(GO_TEST_TIMEOUT) ./scenarios && \
	CGO_ENABLED=0 GO=$(GO) .ci/gotest -count=1 -timeout $(GO_TEST_TIMEOUT) ./proctree/supervisor

# Start the throwaway PostgreSQL and print its URL; test-postgres-down stops it.
test-postgres:
	@.ci/postgres up
test-postgres-down:
	@.ci/postgres down

# The real-Slurm campaign test (slurm/cluster_test.go) runs against the cluster
# .ci/slurm starts on this machine: Debian's slurmctld, two slurmd and munge,
# installed when missing (root). Where it cannot start, the test says why and
# skips; .ci/run sets BENCHCTL_REQUIRE_SLURM so that there it fails instead.
test-slurm:
	@.ci/slurm up >/dev/null || echo "Slurm could not be started: the real-Slurm test says why and skips"
test-slurm-down:
	@.ci/slurm down

test-python:
	$(PYTHON) -m unittest discover -s workloads/virnucsim/tests -t workloads
	$(PYTHON) -m unittest discover -s bench/virnucpro-offline/tests -t bench/virnucpro-offline

# The scenario tests three times over while stress-ng keeps BUSY_CPUS cores
# busy: their verdicts come from the fake pipeline's model of time and
# utilization (its Done, Progress, stage and completed lines' model times, the sim GPUs'
# model integrals), not from how loaded the machine is. It takes about 26
# minutes on a 2-core machine; .ci/run runs it after make test.
BUSY_CPUS ?= 2
test-busy: build-deps
	@.ci/need stress-ng stress-ng "keeps the machine busy for make test-busy"
	@stress-ng --cpu $(BUSY_CPUS) --timeout 7200s >/dev/null 2>&1 & load=$$!; \
	TESTLOG=bin/test-busy.log GO=$(GO) .ci/gotest -count=3 -timeout 80m ./scenarios; rc=$$?; \
	kill $$load; wait $$load 2>/dev/null; exit $$rc

test: test-deps tidy-check build fmt-check vet test-race test-slurm test-go test-python
	@echo "all tests passed"

clean:
	rm -rf $(BIN)
