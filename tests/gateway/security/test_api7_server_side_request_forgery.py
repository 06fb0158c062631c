"""OWASP API7:2023 Server Side Request Forgery.

The platform fetches one kind of URL: the model server's, OPENAI_BASE_URL, which is a setting
of the operator, never a request field. No operation accepts a URL (or host, callback, webhook)
in its body, query, path or headers, and no gateway or worker code takes a base URL from
anything but the settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.gateway.security.conftest import operations

REPO_ROOT = Path(__file__).resolve().parents[3]
URL_LIKE_NAME = re.compile(r"(url|uri|href|host|callback|webhook|endpoint|link|redirect)", re.I)


def _properties(document: dict[str, Any], node: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every (name, schema) property reachable from `node`, following $refs once each."""
    found: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if ref and ref not in seen:
                seen.add(ref)
                walk(document["components"]["schemas"][ref.rsplit("/", 1)[1]])
            for name, schema in value.get("properties", {}).items():
                found.append((name, schema))
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(node)
    return found


def test_no_operation_accepts_a_url(openapi: dict[str, Any]) -> None:
    for method, path, operation in operations(openapi):
        inputs = [(p["name"], p.get("schema", {})) for p in operation.get("parameters", [])]
        inputs += _properties(openapi, operation.get("requestBody", {}))
        for name, schema in inputs:
            where = f"{method} {path}: {name}"
            assert not URL_LIKE_NAME.search(name), where
            assert schema.get("format") not in {"uri", "url", "hostname"}, where


def test_the_model_url_is_read_from_the_settings_only() -> None:
    readers = []
    for package in ("services/gateway/gateway", "services/content-worker/content_worker"):
        for source in (REPO_ROOT / package).rglob("*.py"):
            text = source.read_text()
            for line in text.splitlines():
                if "base_url" in line:
                    readers.append((source.relative_to(REPO_ROOT).as_posix(), line.strip()))
    # The gateway never talks to the model; the worker builds its one client from Settings.
    assert all(path.startswith("services/content-worker/") for path, _ in readers), readers
    assert readers and all("settings.openai_base_url" in line for _, line in readers), readers
