"""Health (docs/api.md, Health): no token needed, a bad one ignored, the checks of the database
and Redis, liveness. Moved from the integration suite (test_api_rules.py, test_http_contract.py)."""

from __future__ import annotations

from tests.support.api import Api


def test_health_needs_no_token_and_ignores_a_bad_one(anonymous: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer garbage"}):
        health = anonymous.http.get("/api/health", headers=headers)
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "ok" and body["checks"] == {"database": "ok", "redis": "ok"}
        assert isinstance(body["version"], str) and body["version"]
        assert anonymous.http.get("/api/health/live", headers=headers).json() == {"status": "ok"}


def test_health_and_liveness(anonymous: Api) -> None:
    health = anonymous.http.get("/api/health").json()
    assert health == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
        "version": health["version"],
    }
    assert anonymous.http.get("/api/health/live").json() == {"status": "ok"}
