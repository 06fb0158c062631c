"""The in-process gateway tier: the real app served in this process (tests/support/gateway_app.py)
on one throw-away database for the run and a Redis database of its own.

Each module gets an app of its own (a fresh lifespan, its Redis database flushed), built from the
integration stack's settings plus `gateway_settings` (environment-variable names; a conftest
below overrides it, as tests/gateway/security/ does with the security suite's tight limits).
Fixtures keep the names the process-stack tiers use (`stack`, `api`, `anonymous`, `learner`), so
a test reads the same in either tier.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import SETTINGS as INTEGRATION_SETTINGS
from tests.support.api import Api
from tests.support.database import GATEWAY_REDIS_DB, create_database, drop_database, redis_url
from tests.support.gateway_app import GatewayApp, serve_gateway


@pytest.fixture(scope="session")
def gateway_database() -> Iterator[str]:
    url = create_database("ailp_gateway")
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def gateway_settings() -> dict[str, str]:
    """Settings of this package's apps beyond the integration stack's: none here."""
    return {}


@pytest.fixture(scope="module")
def stack(gateway_database: str, gateway_settings: dict[str, str]) -> Iterator[GatewayApp]:
    overrides = {**INTEGRATION_SETTINGS, **gateway_settings}
    with serve_gateway(
        database_url=gateway_database, redis_url=redis_url(GATEWAY_REDIS_DB), overrides=overrides
    ) as app:
        yield app


@pytest.fixture
def api(stack: GatewayApp) -> Iterator[Api]:
    client = stack.api().new_user()
    yield client
    client.close()


@pytest.fixture
def anonymous(stack: GatewayApp) -> Iterator[Api]:
    client = stack.api()
    yield client
    client.close()


@pytest.fixture
def learner(api: Api) -> dict:
    return api.create_learner()


@pytest.fixture(scope="module")
def me(stack: GatewayApp) -> Iterator[Api]:
    """One signed-in user for the tests of a module that only read, or submit a job or two."""
    client = stack.api().new_user()
    yield client
    client.close()


@pytest.fixture(scope="module")
def jobs_user(stack: GatewayApp) -> Iterator[Api]:
    """A second shared user for the job tests (at most 30 submissions a minute per user)."""
    client = stack.api().new_user()
    yield client
    client.close()
