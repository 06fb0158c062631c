#!/usr/bin/env bash
# `make bench [ARGS=...]` (ARGS=--help lists the options): uv, the venv, PostgreSQL, Redis and wrk
# are made sure of; the benchmark starts its own processes on throw-away databases.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
ensure_postgres
ensure_redis
have wrk || apt_install wrk
export TEST_DATABASE_SERVER_URL="${TEST_DATABASE_SERVER_URL:-$PG_ADMIN_URL}" TEST_REDIS_URL="${TEST_REDIS_URL:-$REDIS_URL}"
exec uv run --frozen python -m bench "$@"
