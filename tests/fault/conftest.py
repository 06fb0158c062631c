"""Fault tests use private stacks (`make_stack`, tests/conftest.py): they kill and restart
processes and servers without disturbing other tests."""

from __future__ import annotations

import pytest

from tests.support.model_server import ModelServerProcess


@pytest.fixture(autouse=True)
def _fresh_model_server(model_server: ModelServerProcess) -> None:
    model_server.control.reset()
