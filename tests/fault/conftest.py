"""Fault tests break things on purpose, on private stacks (tests/conftest.py's `make_stack`,
or the module's shared `recovery_stack`), never on the shared integration stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.database import (
    PRIVATE_REDIS_DB,
    create_database,
    drop_database,
    flush_redis,
    redis_url,
)
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack


@pytest.fixture(autouse=True)
def _fresh_model_server(model_server: ModelServerProcess) -> None:
    model_server.control.reset()


@pytest.fixture(scope="module")
def recovery_stack(
    model_server: ModelServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One private stack for the tests that kill and restart its processes; each test starts
    from every service running (see `stack`)."""
    database_url, broker_url = create_database("ailp_fault"), redis_url(PRIVATE_REDIS_DB)
    flush_redis(broker_url)
    stack = Stack(
        database_url=database_url,
        redis_url=broker_url,
        workdir=tmp_path_factory.mktemp("recovery"),
        openai_base_url=model_server.base_url,
    )
    try:
        yield stack
    finally:
        stack.stop()
        drop_database(database_url)
        flush_redis(broker_url)


@pytest.fixture
def stack(recovery_stack: Stack) -> Stack:
    recovery_stack.start()  # restarts whatever an earlier test left stopped
    return recovery_stack
