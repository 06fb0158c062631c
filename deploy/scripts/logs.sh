#!/usr/bin/env bash
# Follow every service log in .run/logs (Ctrl-C to stop). LINES=<n> sets how much history.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

shopt -s nullglob
files=("$LOG_DIR"/*.log)
[[ ${#files[@]} -gt 0 ]] || die "no logs yet in ${LOG_DIR#"$ROOT_DIR"/}: 'make up' first"
exec tail -n "${LINES:-50}" -F "${files[@]}"
