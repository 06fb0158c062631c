"""Malformed exercise responses store nothing, as the analytics (a real worker) see it. The sweep
of malformed input per endpoint, and the values used here, are in tests/gateway/test_bad_input.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.gateway.test_bad_input import (
    INVALID,
    LIST_CASES,
    RESPONSE_ITEM_FIELDS,
    STILL_ACCEPTED,
    VALUES,
    World,
    send,
)
from tests.support.api import Api, assert_problem
from tests.support.processes import Stack


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[World]:
    api = Api(stack.base_url).new_user()
    yield World(api=api, learner_id=api.create_learner()["id"])
    api.close()


def test_rejected_exercise_responses_stored_nothing(world: World) -> None:
    """Every malformed responses body for a fresh learner; then the analytics of that learner
    (which covers all of its answers up to as_of) must know no concept at all."""
    learner = world.api.create_learner()
    path = f"/api/learners/{learner['id']}/responses"
    valid_item = {"concept": "rejected-response", "correct": False}
    bodies: list[Any] = [{"responses": value} for value in LIST_CASES["response_list"].values()]
    bodies += [{"responses": VALUES[v]} for v in INVALID["response_list"]]
    for name, category in RESPONSE_ITEM_FIELDS.items():
        rejected = [v for v in INVALID[category] if v not in STILL_ACCEPTED]
        bodies += [{"responses": [{**valid_item, name: VALUES[v]}]} for v in rejected]
    bodies.append({"responses": [valid_item, {**valid_item, "correct": "no"}]})  # all or nothing
    bodies.append({"responses": [valid_item], "surprise": 1})
    for body in bodies:
        assert_problem(send(world.api.http, "POST", path, body))
    # The sessions endpoint stores answers too; a rejected session must not have.
    assert_problem(
        send(
            world.api.http,
            "POST",
            f"/api/learners/{learner['id']}/sessions",
            {
                "session_start": "2026-11-01T09:00:00Z",
                "exercises_completed": [valid_item, {"concept": "", "correct": True}],
            },
        )
    )
    job = world.api.submit_analytics(learner["id"], days=365, as_of="2100-01-01T00:00:00Z")
    assert job.status_code == 202, job.text
    result = world.api.wait_job(job.json()["id"])
    assert result["status"] == "succeeded", result
    assert result["result"]["mastery"] == [] and result["result"]["knowledge_gaps"] == []
