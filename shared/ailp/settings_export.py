"""The settings as text: `.env.example` generated from `Settings`, and `ailp config --export`.

`Settings` is the one source: each field's description, default and example become its lines in
`.env.example`, and the deploy scripts read effective values (environment, `.env`, defaults)
through `ailp config --export --format shell` instead of keeping copies of the defaults.
"""

from __future__ import annotations

import json
import shlex
import textwrap
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ailp.config import Settings

Format = Literal["env", "shell", "json"]
MASK = "********"
LINE_WIDTH = 100

# The first field of each section (in the order of `Settings`), and the section's title.
SECTIONS: dict[str, str] = {
    "environment": "general",
    "database_url": "storage",
    "host": "gateway",
    "jwt_secret": "auth",
    "job_submissions_per_minute": "job limits",
    "job_max_attempts": "durable jobs",
    "openai_api_key": "model (OpenAI-compatible)",
    "content_worker_concurrency": "workers",
    "backup_dir": "backups (make backup / make restore)",
}

HEADER = """\
# ailp settings: copy to .env and edit (cp .env.example .env). Every line shows the default.
# Each setting is an environment variable (upper-case name of the field in shared/ailp/config.py);
# a variable set in the environment wins over .env. Never commit .env: it holds secrets.
# GENERATED from shared/ailp/config.py by `make env-example` (ailp config --env-example): edit
# the field's description there, not this file (a test fails when the two differ).
"""

FOOTER = """\
# --- set by the scripts or by docker compose, not settings of the application ------------------
# PROMETHEUS_MULTIPROC_DIR: set by `ailp stack` (make up, the images' entrypoint) to
# .run/metrics/<service>, emptied before each start (prometheus-client multiprocess mode).
# AILP_RUN_DIR: where `ailp stack` keeps logs, PID files and metrics folders (default: ./.run).
# GRAFANA_ADMIN_PASSWORD: required by docker compose (the Grafana admin's password).
# POSTGRES_PASSWORD: docker compose's PostgreSQL password (default: postgres; not published).
"""


def env_name(field_name: str) -> str:
    return field_name.upper()


def is_secret(field: FieldInfo) -> bool:
    return _mentions(field.annotation, SecretStr)


def _mentions(annotation: Any, cls: type) -> bool:
    if annotation is cls:
        return True
    return any(_mentions(arg, cls) for arg in getattr(annotation, "__args__", ()))


def render_value(value: Any) -> str:
    """A value as it is written in `.env` (and accepted back by pydantic-settings)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _default(field: FieldInfo) -> Any:
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return None if field.default is PydanticUndefined else field.default


def render_env_example() -> str:
    """The whole `.env.example`: one commented block per setting, in sections."""
    lines = [HEADER]
    for name, field in Settings.model_fields.items():
        if name in SECTIONS:
            title = f"# --- {SECTIONS[name]} "
            lines.append("\n" + title + "-" * (LINE_WIDTH - 1 - len(title)) + "\n")
        if not field.description:
            raise ValueError(f"Settings.{name} has no description")
        lines.extend(
            f"{line}\n"
            for line in textwrap.wrap(
                field.description, LINE_WIDTH - 2, initial_indent="# ", subsequent_indent="# "
            )
        )
        default = _default(field)
        if is_secret(field) or default is None:
            # Secrets never show a default (the development JWT secret must not be copied into
            # a .env); unset optional settings show an example, commented out.
            example = field.examples[0] if field.examples else ""
            lines.append(f"# {env_name(name)}={example}\n")
        else:
            lines.append(f"{env_name(name)}={render_value(default)}\n")
    lines.append("\n" + FOOTER)
    return "".join(lines)


def mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", f":{MASK}@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def export(
    settings: Settings,
    *,
    fmt: Format = "env",
    keys: Iterable[str] | None = None,
    show_secrets: bool = False,
) -> str:
    """`settings` as `NAME=value` lines (env), `export NAME=...` (shell, quoted) or JSON.

    Secrets (SecretStr fields and passwords inside URLs) are masked unless `show_secrets`.
    """
    wanted = [key.strip().lower() for key in keys] if keys is not None else None
    fields = Settings.model_fields
    if wanted is not None:
        unknown = [key for key in wanted if key not in fields]
        if unknown:
            raise KeyError(f"unknown settings: {', '.join(env_name(key) for key in unknown)}")
    values: dict[str, str] = {}
    for name in wanted if wanted is not None else list(fields):
        value = getattr(settings, name)
        text = render_value(value)
        if not show_secrets and text:
            if is_secret(fields[name]):
                text = MASK
            elif name.endswith("_url"):
                text = mask_url_password(text)
        values[env_name(name)] = text
    if fmt == "json":
        return json.dumps(values, indent=2) + "\n"
    if fmt == "shell":
        return "".join(f"export {key}={shlex.quote(value)}\n" for key, value in values.items())
    return "".join(f"{key}={value}\n" for key, value in values.items())


def defaults() -> Settings:
    """Settings from the defaults alone: no environment, no `.env`."""
    return Settings.model_construct(
        **{name: _default(field) for name, field in Settings.model_fields.items()}
    )
