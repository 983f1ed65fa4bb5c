# Buttress make targets. `make test` is the test command CI runs (through .ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

ENV_FILE    := .services/env
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Loads the addresses `make services` wrote, so tests and tools find the servers.
LOAD_ENV    := set -a; . $(ENV_FILE); set +a

.PHONY: services services-down test lint bench cover run fuzz

## services: start (or reuse) the PostgreSQL primary + replica and Redis used by tests
services:
	@scripts/services.sh up

## services-down: stop them (data is kept under .services/)
services-down:
	@scripts/services.sh down

## test: services up, go vet, every test under -race against the real servers, then the
## allocation guards again without -race (the race detector allocates, so some skip under it)
ALLOC_PKGS := ./cache ./dbrouter ./logging ./ratelimit ./secure ./version
test: services
	$(LOAD_ENV); export BUTTRESS_REQUIRE_SERVICES=1; \
	go vet ./... && \
	go test -race -count=1 -timeout 20m ./... && \
	go test -count=1 -run 'Alloc' $(ALLOC_PKGS)

## lint: gofmt, go vet and staticcheck (pinned) over both modules
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...
	cd bench && go vet ./... && go run $(STATICCHECK) ./...

## bench: side-by-side comparisons with peers (bench/ module), printed as a markdown table
bench: services
	$(LOAD_ENV); cd bench && go run ./cmd/benchtable $(BENCHFLAGS)

## cover: coverage summary per package
cover: services
	$(LOAD_ENV); export BUTTRESS_REQUIRE_SERVICES=1; \
	go test -count=1 -coverprofile=.services/cover.out ./... >/dev/null && \
	go tool cover -func=.services/cover.out | tail -n 40

## fuzz: run each fuzz target for FUZZTIME (default 20s)
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$(go list ./...); do \
	  for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## run: the example shop on the real services (PostgreSQL + replica + Redis)
run: services
	$(LOAD_ENV); \
	DATABASE_URL=$$BUTTRESS_PG_PRIMARY DATABASE_REPLICA_URLS=$$BUTTRESS_PG_REPLICA REDIS_URL=redis://$$BUTTRESS_REDIS \
	go run ./examples/shop
