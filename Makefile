# Arbokluis development and CI entry points. Every target is idempotent:
# running it twice never fails and reuses what is already running.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

LOCAL        := $(CURDIR)/.local
BIN          := $(LOCAL)/bin
ENV_FILE     := $(LOCAL)/env
STATICCHECK_VERSION := v0.8.2
STATICCHECK  := $(BIN)/staticcheck-$(STATICCHECK_VERSION)
# Redocly CLI lints docs/openapi.yaml; one npm package, pinned, installed
# per version under .local/redocly.
REDOCLY_VERSION := 2.77.0
REDOCLY_DIR  := $(LOCAL)/redocly/$(REDOCLY_VERSION)
REDOCLY      := $(REDOCLY_DIR)/node_modules/.bin/redocly
# Loads .local/env (written by deps) into a recipe's environment.
WITH_ENV     := set -a && . $(ENV_FILE) && set +a &&
GO_TEST_FLAGS ?= -race -count=1 -timeout 20m

.PHONY: help deps run test test-short lint bench build stop clean-local

help:
	@echo "make run    start PostgreSQL and Vault, migrate, seed, serve on :8080 beside the destruction worker"
	@echo "make test   start the dependencies, lint, run every test (integration included)"
	@echo "make test-short   unit tests and pure logic only, no dependencies (the inner loop)"
	@echo "make deps | lint | bench | build | stop | clean-local"

## deps: install what is missing, start PostgreSQL (:54329) and Vault (:8299), write .local/env
deps:
	@command -v go >/dev/null || { echo "deps: Go is not installed (see go.mod for the version)"; exit 1; }
	@bash .ci/tools.sh
	@bash .ci/pg.sh up
	@bash .ci/vault.sh up
	@umask 077 && { cat $(LOCAL)/pg.env $(LOCAL)/vault/env; \
	  echo "ARBOKLUIS_TEST_VAULT_DIR=$(LOCAL)/vault"; \
	  echo "ARBOKLUIS_TEST_ROOT=$(CURDIR)"; } > $(ENV_FILE)
	@echo "deps: PostgreSQL and Vault are up; settings in .local/env"

build:
	@mkdir -p $(BIN)
	go build -trimpath -o $(BIN)/arbokluis ./cmd/arbokluis

## run: serve in the foreground and the destruction worker (the only process
## given ARBOKLUIS_VAULT_DESTRUCTION_TOKEN) in the background; see .ci/app.sh.
## Ctrl-C or make stop stops both.
run: deps build
	@$(WITH_ENV) $(BIN)/arbokluis migrate up
	@$(WITH_ENV) ARBOKLUIS_DEMO=1 $(BIN)/arbokluis seed
	@$(WITH_ENV) ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE=$${ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE:-docs/audit-checkpoint-public-key.json} exec bash .ci/app.sh run

test: deps lint
	@$(WITH_ENV) CI=$${CI:-} go test $(GO_TEST_FLAGS) ./...

## test-short: the inner loop: unit tests and pure logic, without PostgreSQL,
## Vault or the race detector; every integration test skips itself.
test-short:
	go test -short -count=1 ./...

$(STATICCHECK):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@mv $(BIN)/staticcheck $(STATICCHECK)

$(REDOCLY):
	@command -v npm >/dev/null || { echo "lint: npm is not installed; it is needed to install @redocly/cli $(REDOCLY_VERSION), which lints docs/openapi.yaml (Debian: apt-get install nodejs npm)"; exit 1; }
	@mkdir -p $(REDOCLY_DIR)
	npm install --prefix $(REDOCLY_DIR) --no-audit --no-fund --loglevel=error @redocly/cli@$(REDOCLY_VERSION)

## lint: gofmt, go vet, staticcheck, and Redocly's recommended rules on the
## OpenAPI description (an error fails; warnings are shown). Redocly runs
## without telemetry or update checks.
lint: $(STATICCHECK) $(REDOCLY)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.local/*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	$(STATICCHECK) ./...
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --extends=recommended --format=stylish docs/openapi.yaml

bench: deps
	@$(WITH_ENV) go test -run '^$$' -bench . -benchmem ./...

stop:
	@bash .ci/app.sh stop
	@bash .ci/vault.sh stop
	@bash .ci/pg.sh stop

clean-local: stop
	rm -rf $(LOCAL)
