"""Crafted pagination cursors (a review fix): a cursor that decodes to the wrong types is a 422 on
every listing, never a 500."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import orjson
import pytest

from tests.support.api import Api


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


@pytest.mark.parametrize(
    "decoded",
    [
        ["2026-01-01T00:00:00Z", 5],
        [5, str(uuid.uuid4())],
        ["2026-01-01T00:00:00Z", None],
        ["2026-01-01T00:00:00Z", [str(uuid.uuid4())]],
        ["2026-01-01T00:00:00Z", {"id": 1}],
    ],
    ids=["int-id", "int-time", "null-id", "list-id", "object-id"],
)
def test_crafted_cursors_are_422(api: Api, learner: dict, decoded: list[Any]) -> None:
    for path in (
        "/api/jobs",
        f"/api/learners/{learner['id']}/content",
        f"/api/learners/{learner['id']}/sessions",
    ):
        response = api.http.get(path, params={"cursor": _cursor(decoded)})
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 422
        assert problem["errors"][0]["loc"] == ["query", "cursor"]
