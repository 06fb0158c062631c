"""One source of settings: `.env.example`, the README, the scripts and compose agree with
`Settings` (shared/ailp/config.py), and `ailp config --export` prints what the services use."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr

from ailp.config import Settings
from ailp.settings_export import MASK, export, render_env_example

ROOT = Path(__file__).resolve().parents[2]
AILP = ROOT / ".venv" / "bin" / "ailp"


def test_env_example_is_generated_from_settings() -> None:
    expected = render_env_example()
    actual = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert actual == expected, (
        ".env.example differs from shared/ailp/config.py: run `make env-example` and commit it"
    )


def test_every_setting_has_a_description() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert missing == []


def test_env_example_lists_every_setting_once() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE)
    assert sorted(names) == sorted(name.upper() for name in Settings.model_fields)


def test_env_example_never_carries_the_development_jwt_secret() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "dev-only-secret" not in text
    assert "\n# JWT_SECRET=\n" in text


def test_export_masks_secrets_and_url_passwords() -> None:
    settings = Settings(
        jwt_secret=SecretStr("s" * 40),
        openai_api_key=SecretStr("sk-live-123"),
        database_url="postgresql://ailp:hunter2@db:5432/ailp",
        redis_url="redis://:redispw@redis:6379/0",
    )
    text = export(settings)
    assert "hunter2" not in text and "redispw" not in text and "sk-live-123" not in text
    assert f"JWT_SECRET={MASK}\n" in text
    assert f"DATABASE_URL=postgresql://ailp:{MASK}@db:5432/ailp\n" in text
    shown = export(settings, keys=["database_url", "OPENAI_API_KEY"], show_secrets=True)
    assert (
        shown == "DATABASE_URL=postgresql://ailp:hunter2@db:5432/ailp\nOPENAI_API_KEY=sk-live-123\n"
    )


def test_export_refuses_unknown_keys() -> None:
    with pytest.raises(KeyError, match="NOT_A_SETTING"):
        export(Settings(), keys=["not_a_setting"])


def _bash(script: str, **env: str) -> str:
    clean = {key: value for key, value in os.environ.items() if key.upper() not in _SETTING_NAMES}
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


_SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def test_shell_export_round_trips_through_eval() -> None:
    prices = '{"my model": {"input": 0.5, "output": 1}}'
    out = _bash(
        f'eval "$("{AILP}" config --export --format shell --keys OPENAI_PRICES,PORT)"; '
        'printf "%s|%s" "$OPENAI_PRICES" "$PORT"',
        OPENAI_PRICES=prices,
        PORT="8123",
    )
    assert out == '{"my model":{"input":0.5,"output":1.0}}|8123'


def test_defaults_ignore_the_environment() -> None:
    out = _bash(f'"{AILP}" config --export --defaults --keys PORT', PORT="8123")
    assert out == "PORT=8000\n"


def test_scripts_take_their_values_from_ailp_config() -> None:
    """The scripts get the effective endpoints from the application (environment first, then
    .env and the defaults of config.py; no copy of them in bash), and the dev stack's commands
    take the settings' values."""
    from ailp.devstack.services import settings_command

    out = _bash(
        'source deploy/scripts/common.sh && ensure_venv && printf "%s|%s|%s" "$PG_PORT" "$PG_DB" '
        '"$RD_PORT"',
        DATABASE_URL="postgresql://postgres@127.0.0.1:5433/from_env",
        REDIS_URL="redis://127.0.0.1:6390/3",
    )
    assert out == "5433|from_env|6390"
    argv = settings_command("content-worker", Settings())
    assert argv[argv.index("--concurrency") + 1] == str(Settings().content_worker_concurrency)


def test_no_setting_default_is_copied_into_scripts_or_compose() -> None:
    copied = []
    files = [*sorted((ROOT / "deploy" / "scripts").glob("*.sh")), ROOT / "docker-compose.yml"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\$\{([A-Z][A-Z0-9_]*):?-[^}]", text):
            if match.group(1) in _SETTING_NAMES:
                copied.append(f"{path.relative_to(ROOT)}: ${{{match.group(1)}:-...}}")
    assert copied == [], "defaults copied from config.py (ask `ailp config` instead): " + str(
        copied
    )


def _readme_defaults() -> dict[str, str]:
    """`| `NAME` | `default` | meaning |` rows of the README's settings table (one name only)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| `([^`]*)` \|", text, flags=re.MULTILINE)
    return dict(rows)


def test_readme_settings_table_agrees_with_settings() -> None:
    defaults = Settings.model_construct()
    rows = _readme_defaults()
    assert "CONTENT_WORKER_CONCURRENCY" in rows
    wrong = {
        name: (shown, getattr(defaults, name.lower()))
        for name, shown in rows.items()
        if name.lower() in Settings.model_fields
        and str(shown) != str(getattr(defaults, name.lower()))
        and not _same_number(shown, getattr(defaults, name.lower()))
    }
    assert wrong == {}


def _same_number(shown: str, value: object) -> bool:
    try:
        return float(shown) == float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def test_kubernetes_config_agrees_on_worker_concurrency() -> None:
    configmap = (ROOT / "deploy" / "k8s" / "configmap.yaml").read_text(encoding="utf-8")
    match = re.search(r'CONTENT_WORKER_CONCURRENCY: "(\d+)"', configmap)
    assert match is None or int(match.group(1)) == Settings().content_worker_concurrency
