#!/usr/bin/env bash
# `make up`: install what is missing (uv, the venv, PostgreSQL, Redis, Node), then `ailp stack up`
# creates the database, migrates, builds the web app and starts the supervised services.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
ensure_postgres
ensure_redis
"$AILP" stack web-build --check || (ensure_node) || warn "no usable Node: the API starts without the web app"
exec "$AILP" stack up --timeout "${READY_TIMEOUT:-90}"
