# The commands the README gives. Every target runs over the three modules: the library at the
# root, examples/ and bench/.
MODULES      := . examples bench
STATICCHECK  := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN          := $(CURDIR)/.bin
GO           ?= go
BENCHCOUNT   ?= 6

.PHONY: test fmt vet staticcheck unit fuzz demo bench

test: fmt vet staticcheck unit fuzz

fmt:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	@for m in $(MODULES); do echo "go vet ($$m)"; (cd $$m && $(GO) vet ./...) || exit 1; done

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install $(STATICCHECK)

staticcheck: $(BIN)/staticcheck
	@for m in $(MODULES); do echo "staticcheck ($$m)"; (cd $$m && $(BIN)/staticcheck ./...) || exit 1; done

unit:
	@for m in $(MODULES); do echo "go test ($$m)"; \
		(cd $$m && $(GO) test -race -shuffle=on -timeout 20m ./...) || exit 1; done

# Every Fuzz target of the three modules, FUZZTIME (default 4s) each.
fuzz:
	GO=$(GO) ./scripts/fuzz.sh

# The demo: every adapter under examples/ on its embedded defaults, with injected faults.
demo:
	cd examples && $(GO) run ./backofftour
	cd examples && $(GO) run ./cmd/lbaas
	cd examples && $(GO) run ./cmd/lbaas -replicas 3
	cd examples && $(GO) run ./cmd/vpp
	cd examples && $(GO) run ./cmd/voltha
	cd examples && $(GO) run ./cmd/bmdb

# Benchmarks side by side with their anchors, in one process; writes BENCHMARKS.md.
bench:
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./... | tee bench.out
	cd bench && $(GO) run ./cmd/benchreport -in bench.out -notes notes.txt -cmd "make bench" > ../BENCHMARKS.md
	@echo "wrote BENCHMARKS.md"
