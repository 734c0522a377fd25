# socc: the two commands a user needs are `go run ./cmd/socc build` and `make test`.
GO ?= go

.PHONY: build test vet artifacts bench fuzz clean

build:
	$(GO) build -o bin/socc ./cmd/socc

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l cmd compiler schema mappings tools)" || { gofmt -l cmd compiler schema mappings tools; echo "gofmt needed"; exit 1; }

# Every test: unit, golden, testscript (CLI and bad input), conformance, and
# the bundled library's own validate + fixture tests.
tools/node_modules: tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund

test: vet tools/node_modules
	$(GO) test -count=1 ./...
	$(GO) run ./cmd/socc validate
	$(GO) run ./cmd/socc test
	$(MAKE) artifacts

# Build the bundled library and check the deployable artifacts with the
# tools that deploy them: cfn-lint (zero findings) and terraform fmt.
ARTIFACTS ?= bin/ci-dist
artifacts:
	$(GO) run ./cmd/socc build -o $(ARTIFACTS)
	cfn-lint $(ARTIFACTS)/cloudformation/*.yaml
	terraform fmt -check -diff $(ARTIFACTS)/terraform

# Benchmarks: evaluator vs decode-only vs OPA over >= 1M events.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./compiler/...
	$(GO) run ./tools/bench

FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./compiler/fixture
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./compiler/load
	$(GO) test -run '^$$' -fuzz FuzzParseCondition -fuzztime $(FUZZTIME) ./compiler/lower
	$(GO) test -run '^$$' -fuzz FuzzCursor -fuzztime $(FUZZTIME) ./compiler/event
	$(GO) test -run '^$$' -fuzz FuzzCompile -fuzztime $(FUZZTIME) ./compiler/eventpattern
	$(GO) test -run '^$$' -fuzz FuzzMatch -fuzztime $(FUZZTIME) ./compiler/eventpattern
	$(GO) test -run '^$$' -fuzz FuzzLiteral -fuzztime $(FUZZTIME) ./compiler/emit/splunk
	$(GO) test -run '^$$' -fuzz FuzzLiteral -fuzztime $(FUZZTIME) ./compiler/emit/opensearch
	$(GO) test -run '^$$' -fuzz FuzzAthenaLiteral -fuzztime $(FUZZTIME) ./compiler/emit/athena

clean:
	rm -rf bin dist
