"""Learner profiles: CRUD, one profile per niche, and nobody sees anybody else's."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.gateway_app import GatewayApp

LEARNER_FIELDS = {
    "id",
    "user_id",
    "target_niche",
    "experience_level",
    "preferred_learning_style",
    "learning_goals",
    "knowledge_state",
    "engagement_metrics",
    "created_at",
}


def test_create_read_update_delete(api: Api) -> None:
    learner = api.create_learner(target_niche="tech_career", learning_goals="Become a backend dev")
    assert learner["knowledge_state"] == {} and learner["engagement_metrics"] == {}
    assert api.http.get(f"/api/learners/{learner['id']}").json() == learner
    assert [item["id"] for item in api.http.get("/api/learners").json()] == [learner["id"]]

    patched = api.http.patch(
        f"/api/learners/{learner['id']}",
        json={"experience_level": "advanced", "learning_goals": None},
    )
    assert patched.status_code == 200
    assert (
        patched.json()["experience_level"] == "advanced"
        and patched.json()["learning_goals"] is None
    )
    assert patched.json()["target_niche"] == "tech_career"

    assert api.http.delete(f"/api/learners/{learner['id']}").status_code == 204
    assert api.http.get(f"/api/learners/{learner['id']}").status_code == 404
    assert api.http.delete(f"/api/learners/{learner['id']}").status_code == 404


def test_one_profile_per_niche(api: Api) -> None:
    api.create_learner(target_niche="data")
    duplicate = api.http.post(
        "/api/learners",
        json={
            "target_niche": "data",
            "experience_level": "beginner",
            "preferred_learning_style": "reading",
        },
    )
    assert duplicate.status_code == 409
    other = api.create_learner(target_niche="languages")
    renamed = api.http.patch(f"/api/learners/{other['id']}", json={"target_niche": "data"})
    assert renamed.status_code == 409


def test_other_users_learners_are_invisible(api: Api, stack: GatewayApp) -> None:
    mine = api.create_learner()
    stranger = stack.api().new_user()
    try:
        for method, path in [
            ("GET", ""),
            ("PATCH", ""),
            ("DELETE", ""),
            ("GET", "/sessions"),
            ("POST", "/sessions"),
            ("POST", "/responses"),
            ("GET", "/content"),
            ("POST", "/generate-content"),
            ("POST", "/analytics"),
            ("GET", "/analytics"),
        ]:
            body = {
                "PATCH": {"experience_level": "advanced"},
                "/sessions": {"session_start": "2026-01-01T00:00:00Z"},
                "/responses": {"responses": [{"concept": "x", "correct": True}]},
                "/generate-content": {"concept": "x", "content_type": "lesson"},
                "/analytics": {},
            }
            payload = body.get(path) if method == "POST" else body.get(method)
            response = stranger.http.request(
                method, f"/api/learners/{mine['id']}{path}", json=payload
            )
            assert response.status_code == 404, (method, path, response.text)
        assert stranger.http.get("/api/learners").json() == []
        missing = stranger.http.get("/api/learners/987654321")
        assert missing.status_code == 404
    finally:
        stranger.close()
    assert api.http.get(f"/api/learners/{mine['id']}").json()["experience_level"] == "beginner"


@pytest.mark.parametrize(
    "body",
    [
        {"target_niche": "", "experience_level": "beginner", "preferred_learning_style": "visual"},
        {
            "target_niche": "x" * 51,
            "experience_level": "beginner",
            "preferred_learning_style": "visual",
        },
        {"target_niche": "ok", "experience_level": "expert", "preferred_learning_style": "visual"},
        {"target_niche": "ok", "experience_level": "beginner", "preferred_learning_style": "smell"},
        {
            "target_niche": "ok",
            "experience_level": "beginner",
            "preferred_learning_style": "visual",
            "learning_goals": "g" * 2001,
        },
        {
            "target_niche": "ok",
            "experience_level": "beginner",
            "preferred_learning_style": "visual",
            "extra": 1,
        },
        {
            "target_niche": "bad\u0000niche",
            "experience_level": "beginner",
            "preferred_learning_style": "visual",
        },
        {"experience_level": "beginner", "preferred_learning_style": "visual"},
    ],
)
def test_invalid_profiles_are_422(api: Api, body: dict) -> None:
    response = api.http.post("/api/learners", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "body", [{"experience_level": None}, {"target_niche": None}, {"unknown": 1}]
)
def test_invalid_patches_are_422(api: Api, body: dict) -> None:
    learner = api.create_learner()
    assert api.http.patch(f"/api/learners/{learner['id']}", json=body).status_code == 422


def test_a_learner_has_exactly_the_documented_fields_and_boundary_values_fit(me: Api) -> None:
    goals = ("Line one.\nLine two.\t" + "g" * 2000)[:2000]
    learner = me.create_learner(target_niche="n" * 50, learning_goals=goals)
    assert set(learner) == LEARNER_FIELDS
    assert learner["learning_goals"] == goals and len(learner["target_niche"]) == 50
    assert isinstance(learner["knowledge_state"], dict)
    assert isinstance(learner["engagement_metrics"], dict)
    one = me.create_learner(target_niche="x", learning_goals=None)
    assert one["target_niche"] == "x" and one["learning_goals"] is None
    for level in ("beginner", "intermediate", "advanced"):
        for style in ("visual", "auditory", "reading", "kinesthetic"):
            patched = me.http.patch(
                f"/api/learners/{one['id']}",
                json={"experience_level": level, "preferred_learning_style": style},
            )
            assert patched.status_code == 200 and set(patched.json()) == LEARNER_FIELDS
    listed = me.http.get("/api/learners").json()
    assert all(set(item) == LEARNER_FIELDS for item in listed)
