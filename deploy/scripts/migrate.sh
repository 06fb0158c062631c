#!/usr/bin/env bash
# Create DATABASE_URL's database when missing (starting a local PostgreSQL if needed), then apply
# the migrations. `make up` does the same before it starts the services.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
"$AILP" stack secret # every ailp command refuses to run without a private signing secret
ensure_postgres
exec "$AILP" stack migrate
