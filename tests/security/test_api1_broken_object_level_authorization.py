"""OWASP API1:2023 Broken Object Level Authorization.

Every operation whose path or query names an object (`…_id`) is generated from the live
`/openapi.json`, so a route added later is covered without touching this file. Another user
sending the victim's real ids gets 404 — exactly what a missing id gets — and the victim's data
is unchanged afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import operations
from tests.security.schema_examples import example_body
from tests.support.api import Api, assert_problem
from tests.support.processes import Stack

# Path/query parameters that name an object, and what in the victim's world they refer to.
KNOWN_IDS = {"learner_id", "job_id", "content_id"}
# Operations that act on the caller alone (no id of anyone else can be given).
OWN_ONLY = {"/api/users/me", "/api/users/me/password", "/api/users/me/export"}


def _id_parameters(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", []) if p["name"].endswith("_id")]


def _id_bearing(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [op for op in operations(document) if _id_parameters(op[2])]


@pytest.fixture(scope="module")
def victim(stack: Stack) -> dict[str, Any]:
    from tests.security.conftest import signed_up

    owner = signed_up(stack.base_url)
    learner = owner.create_learner()
    session = owner.http.post(
        f"/api/learners/{learner['id']}/sessions", json={"session_start": "2026-11-01T09:00:00Z"}
    )
    assert session.status_code == 201, session.text
    content_job = owner.wait_job(owner.submit_content(learner["id"], concept="BOLA").json()["id"])
    analytics_job = owner.wait_job(owner.submit_analytics(learner["id"]).json()["id"])
    assert content_job["status"] == analytics_job["status"] == "succeeded"
    return {
        "client": owner,
        "ids": {
            "learner_id": learner["id"],
            "job_id": analytics_job["id"],
            "content_id": content_job["result"]["content_id"],
        },
        "learner": learner,
    }


def _snapshot(owner: Api, ids: dict[str, Any]) -> dict[str, Any]:
    learner_id = ids["learner_id"]
    reads = {
        "learner": f"/api/learners/{learner_id}",
        "sessions": f"/api/learners/{learner_id}/sessions",
        "content": f"/api/content/{ids['content_id']}",
        "job": f"/api/jobs/{ids['job_id']}",
        "analytics": f"/api/learners/{learner_id}/analytics",
    }
    snapshot = {}
    for name, path in reads.items():
        response = owner.http.get(path)
        assert response.status_code == 200, (path, response.text)
        snapshot[name] = response.json()
    return snapshot


def test_every_id_bearing_operation_is_covered(openapi: dict[str, Any]) -> None:
    found = _id_bearing(openapi)
    assert len(found) >= 12  # today's routes; more are covered automatically
    for method, path, operation in found:
        unknown = {p["name"] for p in _id_parameters(operation)} - KNOWN_IDS
        assert not unknown, f"{method} {path}: teach this test what {unknown} refers to"


def test_no_operation_reaches_another_users_objects(
    openapi: dict[str, Any], victim: dict[str, Any], attacker: Api
) -> None:
    owner: Api = victim["client"]
    ids = victim["ids"]
    before = _snapshot(owner, ids)
    for method, path, operation in _id_bearing(openapi):
        where = f"{method} {path}"
        path_params = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        url = path.format(**{name: ids[name] for name in path_params})
        query = {
            p["name"]: ids[p["name"]]
            for p in _id_parameters(operation)
            if p["in"] == "query" and p["name"] in ids
        }
        body = example_body(openapi, operation)
        response = attacker.http.request(method, url, params=query, json=body)
        if path_params:
            assert_problem(response, 404)
            assert victim["learner"]["target_niche"] not in response.text, where
        else:
            # A filter naming someone else's object selects nothing of theirs.
            assert response.status_code == 200, (where, response.text)
            assert response.json()["items"] == [], where
    assert _snapshot(owner, ids) == before


def test_a_foreign_id_answers_exactly_like_a_missing_one(
    openapi: dict[str, Any], victim: dict[str, Any], attacker: Api
) -> None:
    missing = {
        "learner_id": 2**62,
        "job_id": "00000000-0000-4000-8000-000000000001",
        "content_id": "00000000-0000-4000-8000-000000000002",
    }
    for method, path, operation in _id_bearing(openapi):
        path_params = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        if not path_params or method != "GET":
            continue
        foreign = attacker.http.get(path.format(**{n: victim["ids"][n] for n in path_params}))
        absent = attacker.http.get(path.format(**{n: missing[n] for n in path_params}))
        assert foreign.status_code == absent.status_code == 404, path
        assert foreign.json()["title"] == absent.json()["title"], path
        assert set(foreign.json()) == set(absent.json()), path


def test_own_only_operations_take_no_object_id(openapi: dict[str, Any]) -> None:
    for _method, path, operation in operations(openapi):
        if path in OWN_ONLY:
            assert not _id_parameters(operation), path
