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
# axe-core checks the pages of the browser tests for accessibility faults
# (internal/testenv.CheckAccessibility injects it through the DevTools
# protocol; the product never serves it). Pinned: the tarball's SHA-512 is
# the npm registry's dist.integrity, in hex. internal/testenv holds the same
# version and a test keeps the two equal.
AXE_VERSION  := 4.14.1
AXE_SHA512   := 1477dafa598d8d065f273d6af302aa203c02e83131707b7fa648cd41bd3d6b734f8c22a0dab86ee6a6f64b8afbe804b214d36db85a2826965edfb3a0b9d546b5
AXE          := $(LOCAL)/axe-core/$(AXE_VERSION)/axe.min.js
# Loads .local/env (written by deps) into a recipe's environment.
WITH_ENV     := set -a && . $(ENV_FILE) && set +a &&
GO_TEST_FLAGS ?= -race -count=1 -timeout 20m

.PHONY: help tools deps run test test-short lint bench build stop clean-local

help:
	@echo "make run    start PostgreSQL and Vault, migrate, seed, serve on :8080 beside the destruction worker"
	@echo "make test   start the dependencies, lint, run every test (integration included)"
	@echo "make test-short   unit tests and pure logic only, no dependencies (the inner loop)"
	@echo "make deps | lint | bench | build | stop | clean-local"

## tools: install the missing command-line tools (poppler-utils, npm, chromium)
tools:
	@bash .ci/tools.sh

## deps: install what is missing, start PostgreSQL (:54329) and Vault (:8299), write .local/env
deps: tools $(AXE)
	@command -v go >/dev/null || { echo "deps: Go is not installed (see go.mod for the version)"; exit 1; }
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
## Ctrl-C or make stop stops both. Without ARBOKLUIS_SMTP_ADDR the demo's
## mails (invitations, password resets) are files in .local/mail.
run: deps build
	@$(WITH_ENV) $(BIN)/arbokluis migrate up
	@$(WITH_ENV) ARBOKLUIS_DEMO=1 $(BIN)/arbokluis seed
	@$(WITH_ENV) ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE=$${ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE:-docs/audit-checkpoint-public-key.json} \
		ARBOKLUIS_DEMO=1 ARBOKLUIS_MAIL_DIR=$${ARBOKLUIS_MAIL_DIR-$$([ -n "$${ARBOKLUIS_SMTP_ADDR:-}" ] || echo "$(CURDIR)/.local/mail")} \
		exec bash .ci/app.sh run

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

# The axe-core tarball from the npm registry, checked against AXE_SHA512
# before anything in it is used; only axe.min.js is kept.
$(AXE): | tools
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  npm pack --silent --pack-destination "$$tmp" axe-core@$(AXE_VERSION) >/dev/null && \
	  echo "$(AXE_SHA512)  $$tmp/axe-core-$(AXE_VERSION).tgz" | sha512sum --check --quiet - && \
	  tar -xzf "$$tmp/axe-core-$(AXE_VERSION).tgz" -C "$$tmp" package/axe.min.js && \
	  mkdir -p $(dir $(AXE)) && mv "$$tmp/package/axe.min.js" $(AXE) && \
	  echo "deps: axe-core $(AXE_VERSION) in $(dir $(AXE))"

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
