"""The gateway's middleware (a review fix): an unexpected error is a 500 problem with the request
id, and an error after the response started is not answered twice."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from gateway.middleware import GatewayMiddleware


async def _fails(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("boom")


async def _fails_midway(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise RuntimeError("boom")


def test_an_unexpected_error_is_a_500_problem_with_the_request_id() -> None:
    client = TestClient(GatewayMiddleware(_fails, max_body_bytes=1024, access_log=False))
    response = client.get("/anything", headers={"X-Request-ID": "review-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "review-500"
    problem = response.json()
    assert problem["status"] == 500 and problem["title"] == "Internal Server Error"
    assert "boom" not in response.text  # no internals
    assert client.get("/anything").headers["x-request-id"]  # one is made up when not sent


def test_an_error_after_the_response_started_is_not_answered_twice() -> None:
    client = TestClient(GatewayMiddleware(_fails_midway, max_body_bytes=1024, access_log=False))
    with pytest.raises(RuntimeError, match="boom"):
        client.get("/anything")
