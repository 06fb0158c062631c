#!/usr/bin/env bash
# `ailp ARGS` from the repository's venv, synced first: make down/status/logs/gateway/admin/...
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
exec "$AILP" "$@"
