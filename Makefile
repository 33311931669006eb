# Tunix RT. `make run` and `make test` are the two commands; the rest are for development.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp changes whenever pyproject.toml does, so dependency edits reinstall.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
export TUNIX_RT_HOME ?= $(CURDIR)/.tunix-rt
PYTEST_ARGS ?=
BENCH_ARGS ?=
AUDIT_ARGS ?=
# `make fuzz`: both databases; PostgreSQL gets a fresh database on this server, dropped after.
FUZZ_ARGS ?=

.PHONY: help install run serve worker client train-smoke test test-py lint format typecheck migrate migration \
        bench audit fuzz clean frontend frontend-test

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,train,tunix,tune,interop]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## Create .venv and install everything (once per pyproject change)

run: install frontend ## Install, build the UI, migrate, seed demo data and serve on 127.0.0.1:8000
	$(BIN)/tunix-rt db upgrade
	$(BIN)/tunix-rt seed golden-v2
	$(BIN)/tunix-rt seed dev-reasoning-v2
	$(BIN)/tunix-rt seed eval-v2
	$(BIN)/tunix-rt serve

serve: install ## Serve without reinstalling or seeding
	$(BIN)/tunix-rt serve

worker: install ## Run a job worker against TUNIX_RT_DATABASE_URL (service shape)
	$(BIN)/tunix-rt worker --concurrency 2

client: ## Regenerate the UI's API types from the backend's OpenAPI schema
	$(MAKE) -C frontend api

train-smoke: install ## The CPU training smoke tests (tiny model, a few steps, checkpoint, resume)
	$(BIN)/pytest -q tests/training/test_torch_recipe.py

test: install lint typecheck test-py fuzz frontend-test ## Lint, type-check and run every test tier

test-py: install ## Python tests with coverage (SQLite, plus PostgreSQL when TUNIX_RT_TEST_POSTGRES_URL is set)
	$(BIN)/pytest --cov=tunix_rt --cov-branch --cov-report=term --cov-fail-under=80 $(PYTEST_ARGS)

lint: install ## ruff check, format check and the import-layer contracts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports

format: install ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

typecheck: install ## mypy --strict on src/
	$(BIN)/mypy

migrate: install ## Apply migrations to TUNIX_RT_DATABASE_URL (or the embedded database)
	$(BIN)/tunix-rt db upgrade

migration: install ## Autogenerate a migration: make migration m="add foo"
	TUNIX_RT_DATABASE_URL=sqlite:///$(CURDIR)/.migration.db $(BIN)/tunix-rt db upgrade
	TUNIX_RT_DATABASE_URL=sqlite:///$(CURDIR)/.migration.db $(BIN)/alembic revision --autogenerate -m "$(m)"
	rm -f .migration.db

bench: install ## Run every benchmark under bench/ and print their JSON figure lines
	@# -P: bench/ stays off sys.path, so no script there shadows a module (datasets.py).
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python -P $$f $(BENCH_ARGS) || exit 1; done

fuzz: install ## schemathesis (all checks; exclusions in tests/fuzz/run.py) on a live server, SQLite and PostgreSQL
	$(BIN)/python tests/fuzz/run.py $(FUZZ_ARGS)

audit: install ## pip-audit, npm audit, detect-secrets and CycloneDX SBOMs in build/sbom/ (docs/security.md)
	$(BIN)/python scripts/audit.py $(AUDIT_ARGS)

frontend: ## Build the web UI into src/tunix_rt/static (skipped if there is no frontend yet)
	@if [ -f frontend/package.json ]; then $(MAKE) -C frontend build; fi

frontend-test: ## Type-check, lint and test the web UI in Chromium (skipped if there is no frontend yet)
	@if [ -f frontend/package.json ]; then $(MAKE) -C frontend test; fi

clean: ## Remove build outputs (keeps .venv and the embedded database)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov build
