"""The OWASP API Security Top 10 tests that need no worker and no uvicorn, against the gateway
served in-process with the security suite's tight limits (tests/security/conftest.py, which
keeps the tests that need real processes).

Every client gets an address of its own (X-Forwarded-For from the loopback peer, which the
gateway trusts by default), so per-address limits only add up where a test means them to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.conftest import (
    LOGIN_FAILURES_PER_ADDRESS,
    MAX_LEARNERS_PER_USER,
    REGISTRATIONS_PER_ADDRESS,
    RESPONSE_POSTS_PER_MINUTE,
    SESSION_POSTS_PER_MINUTE,
    new_address,
    operations,
    unique_name,
)
from tests.security.conftest import SETTINGS as SECURITY_SETTINGS
from tests.support.api import Api
from tests.support.gateway_app import GatewayApp

__all__ = [
    "LOGIN_FAILURES_PER_ADDRESS",
    "MAX_LEARNERS_PER_USER",
    "REGISTRATIONS_PER_ADDRESS",
    "RESPONSE_POSTS_PER_MINUTE",
    "SESSION_POSTS_PER_MINUTE",
    "client",
    "new_address",
    "operations",
    "signed_up",
    "unique_name",
]


def client(app: GatewayApp, *, address: str | None = None) -> Api:
    api = app.api()
    api.http.headers["X-Forwarded-For"] = address or new_address()
    return api


def signed_up(app: GatewayApp) -> Api:
    return client(app).new_user()


@pytest.fixture(scope="module")
def gateway_settings() -> dict[str, str]:
    return dict(SECURITY_SETTINGS)


@pytest.fixture
def api(stack: GatewayApp) -> Iterator[Api]:
    user = signed_up(stack)
    yield user
    user.close()


@pytest.fixture
def attacker(stack: GatewayApp) -> Iterator[Api]:
    user = signed_up(stack)
    yield user
    user.close()


@pytest.fixture
def anonymous(stack: GatewayApp) -> Iterator[Api]:
    user = client(stack)
    yield user
    user.close()


@pytest.fixture(scope="module")
def openapi(stack: GatewayApp) -> dict[str, Any]:
    document: dict[str, Any] = stack.http().get("/openapi.json").json()
    return document
