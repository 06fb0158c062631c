"""Sign-in limits under parallel guessing (a review fix): a burst of wrong passwords cannot get
more guesses checked than the account's limit allows."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.api import Api
from tests.support.gateway_app import GatewayApp

# The app runs with the default limit (tests/integration/conftest.py does not override it).
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


def test_parallel_guesses_are_counted_before_the_password_is_checked(
    anonymous: Api, stack: GatewayApp
) -> None:
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
        with stack.http() as client:
            client.get("/api/health/live")
            ready.wait()
            return client.post(
                "/api/auth/token", data=form, headers={"X-Forwarded-For": address}
            ).status_code

    statuses = _in_parallel(burst, burst, attempt)
    assert sorted(statuses) == [401] + [429] * (burst - 1)
