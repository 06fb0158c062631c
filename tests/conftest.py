"""Fixtures shared by every tier: the loopback model server, private stacks, and the database
fixtures of tests/support/db_fixtures.py."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The test process is a test environment: Settings() may make up its own signing secret here,
# and nowhere else (set before any test module builds one).
os.environ["ENVIRONMENT"] = "test"

from tests.support.database import (
    PRIVATE_REDIS_DB,
    create_database,
    drop_database,
    drop_stale_databases,
    drop_template,
    flush_redis,
    redis_url,
)
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack

# The rolled-back database fixtures (`engine`, `db`, `learner`, `make_job`, `broker`, …) for every
# package that tests against the database: jobs, content_worker, ailp, gateway/admin.
pytest_plugins = ["tests.support.db_fixtures"]


@pytest.fixture(scope="session")
def model_server() -> Iterator[ModelServerProcess]:
    with ModelServerProcess() as server:
        yield server


@pytest.fixture
def make_stack(
    model_server: ModelServerProcess, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Stack]]:
    """A factory of private stacks (own database, own Redis db) that a test may break at will."""
    created: list[tuple[Stack, str | None, str | None]] = []
    request.node.ailp_stacks = created

    def make(
        *, database_url: str | None = None, broker_url: str | None = None, **kwargs: object
    ) -> Stack:
        own_db = database_url is None
        own_redis = broker_url is None
        database_url = database_url or create_database("ailp_private")
        broker_url = broker_url or redis_url(PRIVATE_REDIS_DB)
        if own_redis:
            flush_redis(broker_url)
        stack = Stack(
            database_url=database_url,
            redis_url=broker_url,
            workdir=tmp_path / f"stack{len(created)}",
            openai_base_url=model_server.base_url,
            **kwargs,  # type: ignore[arg-type]
        )
        created.append((stack, database_url if own_db else None, broker_url if own_redis else None))
        return stack

    yield make
    for stack, database_url, broker_url in created:
        stack.stop()
        if database_url:
            drop_database(database_url)
        if broker_url:
            flush_redis(broker_url)


def pytest_sessionstart(session: pytest.Session) -> None:
    drop_stale_databases()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    drop_template()


def pytest_configure(config: pytest.Config) -> None:
    """A terminated test run (CI timeout, Ctrl-C from a script) still tears its stacks down."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    """On failure, attach the log tails of every stack the test used."""
    if call.when != "call" or call.excinfo is None:
        return
    stacks = [stack for stack, _, _ in getattr(item, "ailp_stacks", [])]
    stacks += [
        value for value in getattr(item, "funcargs", {}).values() if isinstance(value, Stack)
    ]
    for stack in stacks:
        item.add_report_section("call", "service logs", stack.logs())
