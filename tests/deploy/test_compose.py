"""docker-compose.yml: valid against the Compose Specification's JSON schema (the copy vendored
by check-jsonschema, so it works offline) and safe to run: .env honoured, secrets required,
internal ports on loopback only, a healthcheck on every long-running service."""

from __future__ import annotations

import ipaddress
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
AILP_SERVICES = ["migrate", "gateway", "content-worker", "analytics-worker", "sweeper"]
PUBLIC_SERVICES = {"web"}  # the only service reachable from other machines


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))  # resolves `<<:` merges
    assert isinstance(loaded, dict)
    return loaded


def compose_schema() -> dict[str, Any]:
    schema = files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    loaded: dict[str, Any] = json.loads(schema.read_text(encoding="utf-8"))
    return loaded


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(compose_schema())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(compose)
    ]
    assert errors == []


def test_the_schema_check_catches_a_misspelt_key(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["gateway"]["healthcheck"]["intervall"] = "5s"
    assert not jsonschema.Draft202012Validator(compose_schema()).is_valid(broken)


def test_every_ailp_service_reads_dot_env(compose: dict[str, Any]) -> None:
    for name in AILP_SERVICES:
        env_files = compose["services"][name]["env_file"]
        assert {"path": ".env", "required": False} in env_files, name


def test_secrets_are_required_not_defaulted(compose: dict[str, Any]) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert re.search(r"JWT_SECRET: \$\{JWT_SECRET:\?[^}]+\}", text)
    for name in AILP_SERVICES:
        assert compose["services"][name]["environment"]["JWT_SECRET"].startswith("${JWT_SECRET:?")
    grafana = compose["services"]["grafana"]["environment"]
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_only_the_web_app_is_published_beyond_loopback(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            published = str(port)
            if name in PUBLIC_SERVICES:
                continue
            assert published.startswith("127.0.0.1:"), f"{name} publishes {published}"
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    assert {"gateway", "prometheus", "grafana"} <= published


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        check = service.get("healthcheck", {})
        if name == "migrate":  # one-shot: the others wait for it to complete
            assert check == {"disable": True}
            continue
        assert check.get("test") and not check.get("disable"), name


def test_workers_can_be_scaled(compose: dict[str, Any]) -> None:
    for name in ["content-worker", "analytics-worker"]:
        service = compose["services"][name]
        assert "container_name" not in service and "ports" not in service, name


def test_the_gateway_trusts_only_nginx_for_forwarded_addresses(compose: dict[str, Any]) -> None:
    trusted = ipaddress.ip_network(compose["services"]["gateway"]["environment"]["TRUSTED_PROXIES"])
    nginx = ipaddress.ip_address(compose["services"]["web"]["networks"]["edge"]["ipv4_address"])
    subnet = ipaddress.ip_network(compose["networks"]["edge"]["ipam"]["config"][0]["subnet"])
    assert trusted.num_addresses == 1 and nginx in trusted and nginx in subnet
    on_edge = {
        name for name, s in compose["services"].items() if "edge" in (s.get("networks") or [])
    }
    assert on_edge == {"gateway", "web"}
