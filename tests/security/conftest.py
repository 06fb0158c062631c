"""The security suite's stack: the integration stack's settings with the abuse limits tight
enough to reach in a test, plus helpers to act as distinct clients.

Every client gets an address of its own (X-Forwarded-For from the loopback, which the gateway
trusts by default), so per-address limits only add up where a test means them to.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import SETTINGS as INTEGRATION_SETTINGS
from tests.integration.conftest import _fresh_model_server  # noqa: F401  (autouse fixture)
from tests.support.api import Api
from tests.support.database import SECURITY_REDIS_DB
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack, throwaway_stack

REGISTRATIONS_PER_ADDRESS = 4
LOGIN_FAILURES_PER_ADDRESS = 6
SESSION_POSTS_PER_MINUTE = 8
RESPONSE_POSTS_PER_MINUTE = 8
MAX_LEARNERS_PER_USER = 3
TOKEN_STATE_CACHE_SECONDS = 2.0

SETTINGS = {
    **INTEGRATION_SETTINGS,
    "REGISTRATION_LIMIT_PER_ADDRESS": str(REGISTRATIONS_PER_ADDRESS),
    "REGISTRATION_LIMIT_WINDOW_SECONDS": "3600",
    "LOGIN_FAILURES_PER_ADDRESS": str(LOGIN_FAILURES_PER_ADDRESS),
    "PASSWORD_HASH_CONCURRENCY": "1",
    "PASSWORD_HASH_WAIT_SECONDS": "0.2",
    "SESSION_POSTS_PER_MINUTE": str(SESSION_POSTS_PER_MINUTE),
    "RESPONSE_POSTS_PER_MINUTE": str(RESPONSE_POSTS_PER_MINUTE),
    "MAX_LEARNERS_PER_USER": str(MAX_LEARNERS_PER_USER),
    "TOKEN_STATE_CACHE_SECONDS": str(TOKEN_STATE_CACHE_SECONDS),
    # What the Kubernetes config map used to set: uvicorn would then believe any peer's
    # X-Forwarded-For and take its left-most hop. The gateway must ignore it.
    "FORWARDED_ALLOW_IPS": "*",
}

_addresses = (f"198.18.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def new_address() -> str:
    """A client address of its own (from the benchmarking range 198.18.0.0/15)."""
    return next(_addresses)


def client(base_url: str, *, address: str | None = None) -> Api:
    api = Api(base_url)
    api.http.headers["X-Forwarded-For"] = address or new_address()
    return api


def signed_up(base_url: str) -> Api:
    return client(base_url).new_user()


def wait_refused(api: Api, path: str = "/api/users/me", *, token: str | None = None) -> None:
    """Within the documented bound (TOKEN_STATE_CACHE_SECONDS in every other gateway process),
    the token is refused; from then on it stays refused."""
    from tests.support.processes import wait_until

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    wait_until(
        lambda: api.http.get(path, headers=headers).status_code == 401,
        timeout=TOKEN_STATE_CACHE_SECONDS + 3,
        interval=0.1,
        message=f"{path} refusing the token",
    )
    statuses = {api.http.get(path, headers=headers).status_code for _ in range(12)}
    assert statuses == {401}, statuses


@pytest.fixture(scope="session")
def stack(
    model_server: ModelServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with throwaway_stack(
        redis_db=SECURITY_REDIS_DB,
        workdir=Path(tmp_path_factory.mktemp("security-stack")),
        database_prefix="ailp_security",
        openai_base_url=model_server.base_url,
        extra_env=SETTINGS,
    ) as stack:
        yield stack


@pytest.fixture
def api(stack: Stack) -> Iterator[Api]:
    user = signed_up(stack.base_url)
    yield user
    user.close()


@pytest.fixture
def attacker(stack: Stack) -> Iterator[Api]:
    user = signed_up(stack.base_url)
    yield user
    user.close()


@pytest.fixture
def anonymous(stack: Stack) -> Iterator[Api]:
    user = client(stack.base_url)
    yield user
    user.close()


@pytest.fixture(scope="session")
def openapi(stack: Stack) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{stack.base_url}/openapi.json", timeout=10).json()
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation the OpenAPI document lists."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def unique_name(prefix: str = "u") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


MakeClient = Callable[..., Api]
