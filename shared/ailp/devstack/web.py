"""The web app (services/web): built into dist/ when missing or stale (the gateway serves it),
and Vite's dev server for `make web-dev`."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ailp.config import Settings
from ailp.devstack import services
from ailp.devstack.console import error, log, ok, warn
from ailp.devstack.pidfiles import Paths


def _web_inputs(web: Path) -> Iterator[Path]:
    for folder in ("src", "public"):
        for path in (web / folder).rglob("*"):
            if path.is_file() and not path.name.endswith((".test.ts", ".test.tsx")):
                yield path
    for name in ("index.html", "package.json", "package-lock.json", "vite.config.ts"):
        yield web / name
    yield from web.glob("tsconfig*.json")


def web_build_stale(paths: Paths) -> bool:
    """True when dist/index.html is missing or any input of the build is newer than it."""
    index = paths.web / "dist" / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime
    return any(p.exists() and p.stat().st_mtime > built for p in _web_inputs(paths.web))


def ensure_web_deps(paths: Paths) -> bool:
    """`npm ci` when node_modules is missing or older than package-lock.json."""
    stamp_file = paths.web / "node_modules" / ".package-lock.json"
    lock = paths.web / "package-lock.json"
    if stamp_file.exists() and stamp_file.stat().st_mtime >= lock.stat().st_mtime:
        return True
    if shutil.which("npm") is None:
        error("npm not found: install Node >= 20.19 (make web-build installs Debian's)")
        return False
    log("npm ci (services/web)")
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=paths.web, check=False
    )
    if done.returncode == 0:
        ok("web app dependencies are installed (services/web/node_modules)")
    return done.returncode == 0


def ensure_web_build(paths: Paths) -> bool:
    """Build the web app into services/web/dist when the build is missing or stale."""
    if not web_build_stale(paths):
        ok("web app build is up to date (services/web/dist)")
        return True
    if not ensure_web_deps(paths):
        return False
    log("building the web app (npm run build, services/web/dist)")
    done = subprocess.run(["npm", "run", "--silent", "build"], cwd=paths.web, check=False)
    if done.returncode != 0 or not (paths.web / "dist" / "index.html").exists():
        return False
    ok("web app built (services/web/dist)")
    return True


def web_dev(paths: Paths, settings: Settings) -> int:
    """Vite's dev server (hot reload) with the API proxied to the gateway on PORT."""
    if not ensure_web_deps(paths):
        raise SystemExit("could not install the web app's dependencies (see above)")
    api_url = services.gateway_url(settings)
    if not services.http_ok(api_url + "/api/health/live"):
        warn(
            f"no gateway answers on {api_url}: the app will load but its API calls fail. Start "
            "it with 'make up' (or set PORT to where it runs)."
        )
    log(f"web dev server on http://127.0.0.1:{os.environ.get('WEB_DEV_PORT', '5173')} ({api_url})")
    os.chdir(paths.web)
    os.execvpe("npm", ["npm", "run", "dev"], {**os.environ, "API_PROXY_TARGET": api_url})
