"""One real stack for the integration tests: a throw-away database, its own Redis database,
the loopback model server, and the gateway, both workers and the sweeper as real processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import Api
from tests.support.database import INTEGRATION_REDIS_DB
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack, throwaway_stack

# Limits low enough for the tests to reach them; each test signs up its own user.
# Automatic recomputation is effectively off here (tests ask for analytics explicitly);
# tests/integration/test_learner_model.py checks it on a stack of its own.
# The model's shared limits are raised out of reach: dozens of modules share this stack's
# minute, and a job deferred for the limits would go back to the queue under a test that expects
# it to keep running (tests/integration/test_model_limits.py tests the limits on stacks of its
# own).
SETTINGS = {
    "OPENAI_RPM_LIMIT": "100000",
    "OPENAI_TPM_LIMIT": "100000000",
    "JOB_SUBMISSIONS_PER_MINUTE": "30",
    "MAX_QUEUED_JOBS_PER_USER": "8",
    "ANALYTICS_RECOMPUTE_DELAY_SECONDS": "3600",
}


@pytest.fixture(scope="session")
def stack(
    model_server: ModelServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with throwaway_stack(
        redis_db=INTEGRATION_REDIS_DB,
        workdir=Path(tmp_path_factory.mktemp("stack")),
        openai_base_url=model_server.base_url,
        extra_env=SETTINGS,
    ) as stack:
        yield stack


@pytest.fixture(autouse=True)
def _fresh_model_server(model_server: ModelServerProcess) -> None:
    model_server.control.reset()


@pytest.fixture
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack.base_url).new_user()
    yield client
    client.close()


@pytest.fixture
def anonymous(stack: Stack) -> Iterator[Api]:
    client = Api(stack.base_url)
    yield client
    client.close()


@pytest.fixture
def learner(api: Api) -> dict:
    return api.create_learner()
