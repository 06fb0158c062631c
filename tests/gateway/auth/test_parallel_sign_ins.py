"""Gateway fixes from a review: sign-in limits under parallel guessing, crafted cursors, replayed
jobs without internal columns, and the request id on a 500."""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from gateway.db import is_unavailable
from gateway.middleware import GatewayMiddleware
from tests.support.api import Api

# The stack runs with the default limit (tests/integration/conftest.py does not override it).
FAILURES_PER_ACCOUNT = 10


def _address() -> str:
    return f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _in_parallel(attempts: int, workers: int, attempt: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(attempt, range(attempts)))


def test_parallel_wrong_passwords_cannot_exceed_the_account_limit(anonymous: Api) -> None:
    anonymous.register()
    address = _address()

    def attempt(_: int) -> Any:
        return anonymous.http.post(
            "/api/auth/token",
            data={"username": anonymous.username, "password": "wrong-password"},
            headers={"X-Forwarded-For": address},
        )

    responses = _in_parallel(30, 30, attempt)
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {401, 429}, statuses
    assert 0 < statuses.count(401) <= FAILURES_PER_ACCOUNT, statuses
    for response in responses:
        if response.status_code == 429:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 429
            assert int(response.headers["Retry-After"]) > 0


def test_parallel_guesses_are_counted_before_the_password_is_checked(anonymous: Api) -> None:
    """One attempt left: of a burst of wrong guesses, only the one the limit still allows is
    checked (401); the others are refused before their password is looked at (429). Counting
    failures afterwards let all of them be checked. (Guesses holding the right password would
    make this depend on timing: a sign-in that succeeds clears the account's failures, so a
    guess arriving after it may rightly pass.)"""
    anonymous.register()
    address = _address()
    form = {"username": anonymous.username, "password": "wrong-password"}
    for _ in range(FAILURES_PER_ACCOUNT - 1):
        response = anonymous.http.post(
            "/api/auth/token", data=form, headers={"X-Forwarded-For": address}
        )
        assert response.status_code == 401
    burst = 20
    ready = threading.Barrier(burst)

    def attempt(_: int) -> int:
        # Own connection, opened beforehand, so that the burst leaves at one moment.
        with httpx.Client(base_url=str(anonymous.http.base_url), timeout=30) as client:
            client.get("/api/health/live")
            ready.wait()
            return client.post(
                "/api/auth/token", data=form, headers={"X-Forwarded-For": address}
            ).status_code

    statuses = _in_parallel(burst, burst, attempt)
    assert sorted(statuses) == [401] + [429] * (burst - 1)


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


@pytest.mark.parametrize(
    "decoded",
    [
        ["2026-01-01T00:00:00Z", 5],
        [5, str(uuid.uuid4())],
        ["2026-01-01T00:00:00Z", None],
        ["2026-01-01T00:00:00Z", [str(uuid.uuid4())]],
        ["2026-01-01T00:00:00Z", {"id": 1}],
    ],
    ids=["int-id", "int-time", "null-id", "list-id", "object-id"],
)
def test_crafted_cursors_are_422(api: Api, learner: dict, decoded: list[Any]) -> None:
    for path in (
        "/api/jobs",
        f"/api/learners/{learner['id']}/content",
        f"/api/learners/{learner['id']}/sessions",
    ):
        response = api.http.get(path, params={"cursor": _cursor(decoded)})
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 422
        assert problem["errors"][0]["loc"] == ["query", "cursor"]


def test_a_replayed_job_has_exactly_the_fields_of_the_first(api: Api, learner: dict) -> None:
    key = uuid.uuid4().hex
    headers = {"Idempotency-Key": key}
    first = api.http.post(f"/api/learners/{learner['id']}/analytics", json={}, headers=headers)
    again = api.http.post(f"/api/learners/{learner['id']}/analytics", json={}, headers=headers)
    assert first.status_code == again.status_code == 202, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json().keys() == first.json().keys()
    assert "request_hash" not in again.json()


async def _fails(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("boom")


async def _fails_midway(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise RuntimeError("boom")


def test_an_unexpected_error_is_a_500_problem_with_the_request_id() -> None:
    client = TestClient(GatewayMiddleware(_fails, max_body_bytes=1024, access_log=False))
    response = client.get("/anything", headers={"X-Request-ID": "review-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "review-500"
    problem = response.json()
    assert problem["status"] == 500 and problem["title"] == "Internal Server Error"
    assert "boom" not in response.text  # no internals
    assert client.get("/anything").headers["x-request-id"]  # one is made up when not sent


def test_an_error_after_the_response_started_is_not_answered_twice() -> None:
    client = TestClient(GatewayMiddleware(_fails_midway, max_body_bytes=1024, access_log=False))
    with pytest.raises(RuntimeError, match="boom"):
        client.get("/anything")


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (ConnectionResetError(104, "Connection reset by peer"), True),
        (TimeoutError(), True),
        (OSError(113, "No route to host"), True),
        (FileNotFoundError(2, "No such file or directory"), True),  # a Unix socket that is gone
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle"), True),
        (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), True),
        (asyncpg.InterfaceError("cannot perform operation: connection is closed"), True),
        (asyncpg.InterfaceError("pool is closing"), True),
        (FileNotFoundError(2, "No such file or directory", "/srv/missing.json"), False),
        (PermissionError(13, "Permission denied", "/srv/secret"), False),
        (asyncpg.DataError("invalid input for query argument $1"), False),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            False,
        ),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), False),
    ],
)
def test_only_connection_failures_count_as_the_database_being_unavailable(
    error: Exception, unavailable: bool
) -> None:
    assert is_unavailable(error) is unavailable
