# ailp — developer entry points. Recipes stay thin: the services, PID files, logs and the web
# build live in Python (`ailp stack`, shared/ailp/devstack); deploy/scripts/ only installs what
# is missing (uv, Debian packages) and starts the machine's PostgreSQL and Redis.
# Settings come from the environment and .env (see .env.example).

SHELL := bash
.DEFAULT_GOAL := help
SCRIPTS := deploy/scripts
# `ailp` from the repository's venv (synced first when uv.lock changed).
AILP := $(SCRIPTS)/ailp.sh

# Extra arguments for `make test` / `make bench` / `make chaos`, e.g. make test ARGS="-k jobs -x".
ARGS ?=

.PHONY: help install up down status logs gateway content-worker analytics-worker sweeper \
	migrate test bench chaos lint admin recompute clean web-dev web-build env-example config backup restore

help: ## Show this help
	@echo "ailp — make targets (settings: environment or .env, see .env.example)"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## Install uv if missing and sync the venv from uv.lock
	@$(SCRIPTS)/install.sh

up: ## Start Postgres/Redis if needed, migrate, run all services in the background
	@$(SCRIPTS)/up.sh

down: ## Stop the services started by `make up` (exactly those in .run/pids)
	@$(AILP) stack down

status: ## Show which services run (by PID file), their restarts and health
	@$(AILP) stack status

logs: ## Follow all service logs (.run/logs/*.log)
	@$(AILP) stack logs

gateway: ## Run the gateway in the foreground
	@$(AILP) stack run gateway

content-worker: ## Run one content worker in the foreground
	@$(AILP) stack run content-worker

analytics-worker: ## Run one analytics worker in the foreground
	@$(AILP) stack run analytics-worker

sweeper: ## Run the job sweeper in the foreground
	@$(AILP) stack run sweeper

migrate: ## Create the database if missing and apply migrations (ailp migrate)
	@$(SCRIPTS)/migrate.sh

test: ## Run the test suite (ARGS="..." passes pytest arguments)
	@$(SCRIPTS)/test.sh $(ARGS)

bench: ## Run the benchmark against the local services (ARGS="...")
	@$(SCRIPTS)/bench.sh $(ARGS)

chaos: ## Chaos campaign: one fault per cycle under load, then an audit (ARGS="--cycles 8")
	@$(SCRIPTS)/chaos.sh $(ARGS)

lint: ## ruff check, ruff format --check, mypy
	@$(SCRIPTS)/lint.sh

admin: ## Make an existing user an admin: make admin USERNAME=alice
	@if [[ -z "$(USERNAME)" ]]; then echo "usage: make admin USERNAME=<username>" >&2; exit 2; fi
	@$(AILP) make-admin "$(USERNAME)"

recompute: ## Recompute every learner's analytics through the queue, resumably (ARGS="--new ...")
	@$(AILP) recompute-analytics $(ARGS)

web-dev: ## Web app dev server (Vite, hot reload) proxying /api to the gateway on PORT
	@$(SCRIPTS)/web.sh web-dev

web-build: ## Build the web app into services/web/dist (when stale; the gateway serves it)
	@$(SCRIPTS)/web.sh web-build

backup: ## Back up the database (pg_dump -Fc into BACKUP_DIR; see docs/operations.md)
	@$(SCRIPTS)/backup.sh

restore: ## Restore a backup into an EMPTY database: make restore FILE=backups/... [IDENTITY=age-key]
	@if [[ -z "$(FILE)" ]]; then echo "usage: make restore FILE=backups/<file>.dump[.age|.gpg]" >&2; exit 2; fi
	@IDENTITY="$(IDENTITY)" $(SCRIPTS)/restore.sh "$(FILE)"

env-example: ## Regenerate .env.example from the settings (shared/ailp/config.py)
	@$(AILP) config --env-example --write .env.example

config: ## Show the effective settings, secrets masked (ARGS="--format json", "--defaults", ...)
	@$(AILP) config --export $(ARGS)

clean: ## Remove .run (logs, PID files, metrics); refuses while services run
	@$(AILP) stack clean
