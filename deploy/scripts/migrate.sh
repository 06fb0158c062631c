#!/usr/bin/env bash
# Create DATABASE_URL's database when missing (starting a local PostgreSQL if needed), then apply
# the migrations. up.sh does the same before it starts the services.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_uv
ensure_venv
# Every ailp command refuses to run without a private signing secret: the first local run makes one.
ensure_jwt_secret
ensure_postgres
ensure_database
exec "$SCRIPTS_DIR/run-service.sh" migrate
