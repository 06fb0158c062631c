#!/usr/bin/env bash
# `make test [ARGS=...]`: static checks (ruff, mypy; the web app's ESLint, tsc, Vitest: they fail
# fast; STATIC_CHECKS=0 skips them), the web build, PostgreSQL, Redis and the deploy tools, then
# pytest (tests/e2e included: Playwright in Debian's Chromium against a real stack).
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
ensure_node
"$AILP" stack web-deps || die "could not install the web app's dependencies (npm ci, see above)"
if [[ "${STATIC_CHECKS:-${WEB_CHECKS:-1}}" != 0 ]]; then
    uv run --frozen ruff check . || die "ruff found problems (see above; 'make lint' runs it too)"
    uv run --frozen mypy || die "mypy found type errors (see above)"
    for check in "npm run --silent lint" "npm run --silent typecheck" "npx --no-install vitest run"; do
        (cd services/web && $check) || die "web app: '$check' failed (see above)"
    done
fi
[[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]] || (apt_install chromium) || warn "Chromium could not be installed: the web app's end-to-end tests will be skipped"
"$AILP" stack web-build || die "the web app does not build (see above)"
ensure_postgres
ensure_redis
# The deploy checks need promtool, kubectl (kustomize) and age; each test says when it skips.
for tool in promtool:prometheus kubectl:kubectl age:age; do
    have "${tool%%:*}" || (apt_install "${tool#*:}") || warn "${tool%%:*} unavailable: its tests will skip"
done
rc=0
uv run --frozen pytest "$@" || rc=$?
[[ "$rc" -ne 5 ]] || die "pytest collected NO tests (exit code 5): check the test paths and the arguments ($*)"
exit "$rc"
