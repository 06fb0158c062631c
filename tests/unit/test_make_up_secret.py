"""Defect 2: `make up` leaves a random JWT_SECRET in .env on first start and keeps it after.

Runs the real command (`ailp stack secret`, `ailp.devstack.stack.ensure_secret`, which `make up`
and `make migrate` call) in an empty folder, so the repository's own .env is never touched.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from ailp.config import Settings


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    folder = tmp_path / "checkout"
    folder.mkdir()
    return folder


def _ensure_secret(root: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    env["NO_COLOR"] = "1"
    subprocess.run(
        [sys.executable, "-m", "ailp.cli", "stack", "secret"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return _env_lines(root)[-1].removeprefix("JWT_SECRET=")


def _env_lines(root: Path) -> list[str]:
    return [line for line in (root / ".env").read_text().splitlines() if "JWT_SECRET" in line]


def test_first_start_writes_a_private_random_secret_and_later_starts_keep_it(
    checkout: Path,
) -> None:
    secret = _ensure_secret(checkout)
    assert len(secret) >= 32
    assert _env_lines(checkout)[-1] == f"JWT_SECRET={secret}"
    assert stat.S_IMODE((checkout / ".env").stat().st_mode) == 0o600
    # A secret the services accept where it matters most.
    Settings(environment="production", jwt_secret=SecretStr(secret))
    assert _ensure_secret(checkout) == secret
    assert [line for line in _env_lines(checkout) if line.startswith("JWT_SECRET=")] == [
        f"JWT_SECRET={secret}"
    ]


def test_an_empty_line_from_env_example_is_filled_in_place(checkout: Path) -> None:
    (checkout / ".env").write_text("PORT=8100\nJWT_SECRET=\nLOG_LEVEL=INFO")
    secret = _ensure_secret(checkout)
    assert (checkout / ".env").read_text().splitlines() == [
        "PORT=8100",
        f"JWT_SECRET={secret}",
        "LOG_LEVEL=INFO",
    ]


def test_two_checkouts_get_different_secrets(checkout: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assert _ensure_secret(checkout) != _ensure_secret(other)


def test_a_secret_set_by_the_operator_is_left_alone(checkout: Path) -> None:
    (checkout / ".env").write_text("JWT_SECRET=operator-chosen-Zq8Kx1Lw7Rb4Tn2Vm5Yc0Hd9\n")
    assert _ensure_secret(checkout) == "operator-chosen-Zq8Kx1Lw7Rb4Tn2Vm5Yc0Hd9"
    assert (checkout / ".env").read_text() == (
        "JWT_SECRET=operator-chosen-Zq8Kx1Lw7Rb4Tn2Vm5Yc0Hd9\n"
    )
