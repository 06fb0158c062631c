#!/usr/bin/env bash
# Run the test suite: `deploy/scripts/test.sh [pytest args...]`.
# Makes sure uv, the venv, Node, PostgreSQL and Redis are there. The web app's fast checks run
# first (ESLint, TypeScript, Vitest: they fail fast), then it is built for the end-to-end tests,
# then pytest runs everything, tests/e2e included (Playwright in Debian's Chromium against a real
# stack). The pytest fixtures create their own throw-away database, worker processes and fake
# model server. STATIC_CHECKS=0 skips the static checks of both (ESLint, tsc, Vitest; ruff, mypy),
# for quick reruns; the web app is still built.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_uv
ensure_venv

# --- Python static checks (seconds; they fail before anything starts) ---------------------------
if [[ "${STATIC_CHECKS:-${WEB_CHECKS:-1}}" != 0 ]]; then
    log "python: ruff check"
    uv run --frozen ruff check . || die "ruff found problems (see above; 'make lint' runs it too)"
    log "python: mypy"
    uv run --frozen mypy || die "mypy found type errors (see above)"
fi

# --- the web app --------------------------------------------------------------------------------
ensure_web_deps || die "could not install the web app's dependencies (npm ci, see above)"
if [[ "${STATIC_CHECKS:-${WEB_CHECKS:-1}}" != 0 ]]; then
    log "web app: eslint"
    (cd "$WEB_DIR" && npm run --silent lint) || die "web app: ESLint found problems (see above)"
    log "web app: typecheck (tsc)"
    (cd "$WEB_DIR" && npm run --silent typecheck) || die "web app: type errors (see above)"
    log "web app: unit and component tests (vitest)"
    (cd "$WEB_DIR" && npx --no-install vitest run) || die "web app: Vitest failed (see above)"
fi
if ! (ensure_chromium); then
    warn "Chromium could not be installed: the web app's end-to-end tests will be skipped"
fi
ensure_web_build || die "the web app does not build (see above)"

# --- services and pytest --------------------------------------------------------------------------
ensure_postgres
ensure_redis
check_redis_policy

# The deploy checks (tests/deploy) need promtool (Debian's `prometheus` package), kubectl (for
# `kubectl kustomize`) and age (the encrypted backup drill); each test says when it skips.
have promtool || (apt_install prometheus) || warn "promtool unavailable: alert tests will skip"
have kubectl || (apt_install kubectl) || warn "kubectl unavailable: Kubernetes tests will skip"
have age || (apt_install age) || warn "age unavailable: the encrypted backup drill will skip"

log "uv run --frozen pytest $*"
set +e
uv run --frozen pytest "$@"
rc=$?
set -e
if [[ "$rc" -eq 5 ]]; then
    err "pytest collected NO tests (exit code 5). An empty test suite must not pass: check the" \
        "test paths and the arguments ($*)."
    exit 5
fi
exit "$rc"
