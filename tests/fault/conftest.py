"""Fault tests break things on purpose, on private stacks (tests/conftest.py's `make_stack`,
or the module's shared `recovery_stack`), never on the shared integration stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.database import PRIVATE_REDIS_DB
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack, throwaway_stack


@pytest.fixture(autouse=True)
def _fresh_model_server(model_server: ModelServerProcess) -> None:
    model_server.control.reset()


@pytest.fixture(scope="module")
def recovery_stack(
    model_server: ModelServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One private stack for the tests that kill and restart its processes; each test starts
    from every service running (see `stack`)."""
    with throwaway_stack(
        redis_db=PRIVATE_REDIS_DB,
        workdir=tmp_path_factory.mktemp("recovery"),
        database_prefix="ailp_fault",
        start=False,
        openai_base_url=model_server.base_url,
    ) as stack:
        yield stack


@pytest.fixture
def stack(recovery_stack: Stack) -> Stack:
    recovery_stack.start()  # restarts whatever an earlier test left stopped
    return recovery_stack
