# Linli — the two commands are `make run` and `make test`; see README.md.

GO        ?= go
NPM       := $(shell command -v npm 2>/dev/null)
NODE      := $(shell command -v node 2>/dev/null)
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
CHROMIUM  ?= $(firstword $(wildcard /usr/bin/chromium /usr/bin/chromium-browser))
VENDOR    := internal/web/static/vendor
BENCHTIME ?= 2s
BENCH     ?= .
FUZZTIME  ?= 10s
GOTESTFLAGS ?=

export CHROMIUM

.PHONY: run test vet tidy unit fuzz e2e docs-images build assets bench mutation clean help

help:
	@echo "make run     serve the Nanguan demo on http://127.0.0.1:8080 (SQLite under data/)"
	@echo "make test    go mod tidy check, go vet, every Go test (PostgreSQL too when LINLI_TEST_POSTGRES is set), browser tests when Chromium is installed"
	@echo "make build   build bin/linli"
	@echo "make assets  copy the pinned htmx, ECharts and Leaflet files into $(VENDOR)/"
	@echo "make e2e     only the browser tests"
	@echo "make fuzz    a short run of the fuzz tests (FUZZTIME=$(FUZZTIME)); part of make test"
	@echo "make bench   run the benchmarks (BENCH=regexp BENCHTIME=$(BENCHTIME)), then the city benchmark (LINLI_BENCH_RESIDENTS=30000)"
	@echo "make docs-images  retake the README screenshots"
	@echo "make mutation  mutation-test the rule packages with gremlins (MUTATION_PKGS=\"workday pii\"); slow, not part of make test"

# Without npm the pages fall back to plain HTML: tables instead of charts, a list instead of a map.
run:
ifneq ($(NPM),)
	@$(MAKE) --no-print-directory assets
else
	@echo "npm not found: serving without htmx, ECharts and Leaflet (plain HTML pages)"
endif
	$(GO) run -ldflags "-X main.version=$(VERSION)" ./cmd/linli serve --demo

test: tidy vet unit fuzz
ifeq ($(CHROMIUM),)
	@echo "e2e: skipped (no Chromium: install Debian's chromium or set CHROMIUM=/path/to/chrome)"
else ifeq ($(NPM),)
	@echo "e2e: skipped (npm not found)"
else
	@$(MAKE) --no-print-directory e2e
endif

vet:
	$(GO) vet ./...

# go.mod and go.sum must be exactly what `go mod tidy` writes (no direct dependency marked
# indirect). Offline once the module cache holds what tidy reads (.ci/run fills it).
tidy:
	$(GO) mod tidy -diff

# LINLI_TEST_POSTGRES, when set in the environment, makes the storage tests run on PostgreSQL too.
unit:
	@if [ -n "$$LINLI_TEST_POSTGRES" ]; then echo "go test: SQLite and PostgreSQL"; else echo "go test: SQLite only (set LINLI_TEST_POSTGRES to include PostgreSQL)"; fi
	$(GO) test $(GOTESTFLAGS) -timeout 20m ./...

# A short run of each fuzz test beyond its seeds (internal/cases/testdata/fuzz; `go test` alone
# runs the seeds): the API's intake decoding and the 12345 reader. FUZZTIME=10s by default.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzIntakeDecoder$$' -fuzztime $(FUZZTIME) ./internal/cases/
	$(GO) test -run '^$$' -fuzz '^FuzzHotlineReader$$' -fuzztime $(FUZZTIME) ./internal/cases/

e2e: assets e2e/node_modules/.package-lock.json
	@test -n "$(CHROMIUM)" || { echo "e2e: no Chromium: install Debian's chromium or set CHROMIUM"; exit 1; }
	cd e2e && $(NODE) --test --test-concurrency=1 --test-reporter=spec tests/

# Retake the README's screenshots (docs/images/) with the browser tests.
docs-images:
	E2E_DOCS_SCREENSHOTS=1 $(MAKE) --no-print-directory e2e

build:
ifneq ($(NPM),)
	@$(MAKE) --no-print-directory assets
endif
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/linli ./cmd/linli

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

e2e/node_modules/.package-lock.json: e2e/package.json e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund

assets: web/node_modules/.package-lock.json
	@rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet/images
	cp web/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp web/node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	cp web/node_modules/leaflet/dist/images/*.png $(VENDOR)/leaflet/images/

# Then the city benchmark (internal/bench): each hot path next to its bare limit, on a generated city
# of LINLI_BENCH_RESIDENTS residents (default 30000; 1000000 for the full city), SQLite and, with
# LINLI_TEST_POSTGRES, PostgreSQL. See docs/performance.md.
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem -timeout 60m ./...
	LINLI_BENCH=1 $(GO) test -count=1 -run '^TestCityBench$$' -v -timeout 120m ./internal/bench

# Mutation testing (docs/development.md, "Mutation testing"): gremlins changes one operator at a time
# in a rule package and runs that package's tests, which must fail. Slow (a test binary is built per
# mutant), so it is neither in CI nor in make test; run it before resolving an issue that changes
# rules. SQLite only: LINLI_TEST_POSTGRES is cleared. Packages that do not exist yet are skipped. The
# timeout is a multiple of the (cached) coverage run, so it must leave room for building each mutant.
GREMLINS      ?= $(or $(shell command -v gremlins 2>/dev/null),$(wildcard $(shell $(GO) env GOPATH)/bin/gremlins))
MUTATION_PKGS ?= workday pii cases register ledger visits party auth accounts
MUTATION_FLAGS ?= --workers 1 --test-cpu 1 --timeout-coefficient 100 --invert-logical
mutation:
	@test -n "$(GREMLINS)" || { echo "gremlins not found: go install github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0"; exit 1; }
	@mkdir -p bin/mutation
	@for p in $(MUTATION_PKGS); do \
		if [ ! -d internal/$$p ]; then echo "mutation: internal/$$p does not exist yet, skipped"; continue; fi; \
		echo "mutation: internal/$$p"; \
		LINLI_TEST_POSTGRES= $(GREMLINS) unleash $(MUTATION_FLAGS) -o bin/mutation/$$p.json ./internal/$$p || exit 1; \
	done

clean:
	rm -rf bin $(VENDOR) web/node_modules e2e/node_modules e2e/screenshots
