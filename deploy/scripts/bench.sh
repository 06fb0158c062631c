#!/usr/bin/env bash
# Run the load benchmark: `deploy/scripts/bench.sh [bench args...]` (`make bench ARGS="..."`).
# The benchmark starts and stops its own processes (gateway, ceiling apps, content workers with a
# loopback OpenAI-compatible model server, analytics workers, `ailp recompute-analytics`) against
# throw-away databases and an empty Redis database (BENCH_REDIS_DB, else the first empty one of
# 10, 9, 8, ...), so `make up` is not needed and services it started are left alone. This script
# only makes sure uv, the venv, PostgreSQL, Redis and wrk (the load generator) are there.
# `make bench ARGS=--help` lists the options; `make bench ARGS="--only limits,learner-model"`
# runs some parts only (http, analytics, limits, budget, learner-big, learner-growth,
# learner-batch; aliases content and learner-model). The whole default run takes ~10 minutes.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_uv
ensure_venv
ensure_postgres
ensure_redis
check_redis_policy
have wrk || apt_install wrk

# The throw-away database is created on DATABASE_URL's server and the Redis database number is
# taken on REDIS_URL's server (the helpers shared with the tests read these two variables).
parse_database_url
export TEST_DATABASE_SERVER_URL="${TEST_DATABASE_SERVER_URL:-$PG_ADMIN_URL}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-$REDIS_URL}"

log "uv run --frozen python -m bench $*"
exec uv run --frozen python -m bench "$@"
