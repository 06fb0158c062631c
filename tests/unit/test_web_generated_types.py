"""The web app's API types (services/web/src/lib/api/schema.d.ts) are generated from the
gateway's OpenAPI document; a change to the gateway that is not regenerated fails here.

Fix a failure with `npm run api:generate` in services/web (it needs no running server).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = REPO_ROOT / "services" / "web"
SCHEMA = WEB_DIR / "src" / "lib" / "api" / "schema.d.ts"


def _generator(*args: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make test installs it)")
    if not (WEB_DIR / "node_modules" / "openapi-typescript").is_dir():
        pytest.skip("the web app's dependencies are not installed (npm ci in services/web)")
    return subprocess.run(
        [node, "scripts/generate-api.mjs", *args],
        cwd=WEB_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_committed_api_types_are_what_the_gateway_generates() -> None:
    done = _generator("--check")
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_check_refuses_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "schema.d.ts"
    stale.write_text(SCHEMA.read_text() + "export type NotInTheContract = true;\n")
    done = _generator("--check", "--file", str(stale))
    assert done.returncode == 1
    assert "npm run api:generate" in done.stderr
