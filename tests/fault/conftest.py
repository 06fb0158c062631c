"""Fault tests get a private stack each: they kill and restart its processes and servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.database import create_database, drop_database, flush_redis, redis_url
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack

FAULT_REDIS_DB = 14


@pytest.fixture(scope="session")
def model_server() -> Iterator[ModelServerProcess]:
    with ModelServerProcess() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_model_server(model_server: ModelServerProcess) -> None:
    model_server.control.reset()


@pytest.fixture
def make_stack(
    model_server: ModelServerProcess, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator:
    created: list[tuple[Stack, str | None, str | None]] = []
    request.node.ailp_stacks = created

    def make(
        *, database_url: str | None = None, broker_url: str | None = None, **kwargs: object
    ) -> Stack:
        own_db = database_url is None
        own_redis = broker_url is None
        database_url = database_url or create_database("ailp_fault")
        broker_url = broker_url or redis_url(FAULT_REDIS_DB)
        if own_redis:
            flush_redis(broker_url)
        stack = Stack(
            database_url=database_url,
            redis_url=broker_url,
            workdir=tmp_path / f"stack{len(created)}",
            openai_base_url=model_server.base_url,
            **kwargs,
        )  # type: ignore[arg-type]
        created.append((stack, database_url if own_db else None, broker_url if own_redis else None))
        return stack

    yield make
    for stack, database_url, broker_url in created:
        stack.stop()
        if database_url:
            drop_database(database_url)
        if broker_url:
            flush_redis(broker_url)


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    if call.when == "call" and call.excinfo is not None:
        for stack, _, _ in getattr(item, "ailp_stacks", []):
            item.add_report_section("call", "service logs", stack.logs())
