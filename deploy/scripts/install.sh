#!/usr/bin/env bash
# Install uv if needed and (re)create the project's venv from uv.lock.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv force
ok "installed: run 'make up' to start everything, 'make help' for the rest"
