#!/usr/bin/env bash
# Run the chaos campaign: `deploy/scripts/chaos.sh [campaign args...]` (`make chaos ARGS="..."`).
# The campaign starts and stops everything it breaks: a private PostgreSQL cluster and a private
# redis-server on free ports (it stops and restarts them, so it never uses the machine's shared
# servers), the loopback model server and the four services. It only needs their programs, so
# this script makes sure uv, the venv, PostgreSQL's and Redis's binaries are there. Default: 30
# cycles (about 35 minutes); `make chaos ARGS="--cycles 8 --seed 3"`; `ARGS=--help` lists the
# options. Results: bench-results/chaos-<UTC time>.json (and the services' logs beside it).
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_uv
ensure_venv
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! have initdb; then
    apt_install postgresql
fi
have redis-server || apt_install redis-server

log "uv run --frozen python -m tests.chaos $*"
exec uv run --frozen python -m tests.chaos "$@"
