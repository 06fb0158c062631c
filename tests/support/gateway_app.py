"""The gateway served in-process: the real app (`gateway.main.create_app(settings)`) with its
lifespan running (asyncpg pool, Redis broker, revocation listener) on a real database and Redis,
reached over Starlette's test transport. No process, port or socket: the API rules run in
milliseconds. What needs uvicorn (proxy headers, socket limits), a worker or the sweeper stays on
the process stacks of tests/support/processes.py.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from starlette.testclient import TestClient

from ailp.config import Settings
from tests.support.api import Api
from tests.support.database import create_database, drop_database, flush_redis
from tests.support.processes import FAST_JOB_SETTINGS, TEST_LIMITS

BASE_URL = "http://testserver"
# The peer every client connects from, as on a process stack: the loopback, which the gateway
# trusts as a proxy by default (so X-Forwarded-For picks the client's address, as there).
LOOPBACK = "127.0.0.1"
_ports = itertools.count(40000)


def gateway_settings(
    *, database_url: str, redis_url: str, overrides: Mapping[str, str] = {}
) -> Settings:
    """The Settings a process stack's gateway would read from its environment, with `overrides`
    (environment-variable names, as in a stack's `extra_env`)."""
    environment: dict[str, str] = {
        **FAST_JOB_SETTINGS,
        **TEST_LIMITS,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "OPENAI_API_KEY": "test-key",
        **overrides,
    }
    values: dict[str, Any] = {name.lower(): value for name, value in environment.items()}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class _PeerClient(TestClient):
    """A client of an app whose lifespan already runs: a `with` block only closes it after."""

    def __enter__(self) -> _PeerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GatewayApp:
    """One app with its lifespan started once; every client shares its event loop."""

    base_url = BASE_URL

    def __init__(self, settings: Settings) -> None:
        from gateway.main import create_app

        self.settings = settings
        self.app: FastAPI = create_app(settings)
        self._main = TestClient(self.app, raise_server_exceptions=False)
        self._clients: list[TestClient] = []

    @property
    def database_url(self) -> str:
        return self.settings.database_url

    @property
    def jwt_secret(self) -> str:
        return self.settings.jwt_secret.get_secret_value()

    def __enter__(self) -> GatewayApp:
        self._main.__enter__()  # runs the lifespan on the TestClient's event loop thread
        return self

    def __exit__(self, *exc: object) -> None:
        for client in self._clients:
            client.close()
        self._main.__exit__(*exc)

    def http(self, *, peer: str = LOOPBACK, headers: Mapping[str, str] | None = None) -> TestClient:
        """A client of its own (headers, cookies) connecting from `peer`, served on the running
        app's event loop: Starlette's TestClient, used as the tests use httpx.Client against a
        process stack."""
        client = _PeerClient(
            self.app,
            raise_server_exceptions=False,  # a 500 is answered, as a server would
            follow_redirects=False,  # as httpx.Client against a process stack
            headers=dict(headers or {}),
            client=(peer, next(_ports)),
        )
        client.portal = self._main.portal  # the lifespan's loop: the pool and Redis live there
        self._clients.append(client)
        return client

    def api(self, *, peer: str = LOOPBACK) -> Api:
        return Api(client=self.http(peer=peer))


@contextmanager
def serve_gateway(
    *, redis_url: str, overrides: Mapping[str, str] = {}, database_url: str | None = None
) -> Iterator[GatewayApp]:
    """The gateway in-process on `database_url` (else a throw-away database of its own, dropped
    at exit) and the flushed Redis database `redis_url`."""
    own_database = database_url is None
    database_url = database_url or create_database("ailp_gateway")
    try:
        flush_redis(redis_url)
        settings = gateway_settings(
            database_url=database_url, redis_url=redis_url, overrides=overrides
        )
        with GatewayApp(settings) as app:
            yield app
    finally:
        flush_redis(redis_url)
        if own_database:
            drop_database(database_url)
