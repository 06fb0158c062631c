"""Sessions and responses: defaults, validation, pagination, and answers stored from sessions."""

from __future__ import annotations

import pytest

from tests.support.api import Api


def test_duration_defaults_to_whole_minutes_between_start_and_end(api: Api, learner: dict) -> None:
    response = api.http.post(
        f"/api/learners/{learner['id']}/sessions",
        json={"session_start": "2026-11-01T10:00:00+02:00", "session_end": "2026-11-01T08:45:59Z"},
    )
    assert response.status_code == 201
    session = response.json()
    assert session["duration_minutes"] == 45
    assert session["session_start"] == "2026-11-01T08:00:00Z"  # emitted in UTC


def test_an_explicit_duration_wins(api: Api, learner: dict) -> None:
    response = api.http.post(
        f"/api/learners/{learner['id']}/sessions",
        json={
            "session_start": "2026-11-01T08:00:00Z",
            "session_end": "2026-11-01T09:00:00Z",
            "duration_minutes": 20,
        },
    )
    assert response.json()["duration_minutes"] == 20


@pytest.mark.parametrize(
    "body",
    [
        {"session_start": "2026-11-01T09:00:00Z", "session_end": "2026-11-01T08:59:59Z"},
        {"session_start": "2026-11-01T09:00:00"},  # no offset
        {"session_start": "yesterday"},
        {"session_start": "2026-11-01T09:00:00Z", "completion_rate": 1.01},
        {"session_start": "2026-11-01T09:00:00Z", "performance_score": -0.1},
        {"session_start": "2026-11-01T09:00:00Z", "duration_minutes": -5},
        {"session_start": "2026-11-01T09:00:00Z", "exercises_completed": ["not an object"]},
        {
            "session_start": "2026-11-01T09:00:00Z",
            "exercises_completed": [{"concept": "", "correct": True}],
        },
        {
            "session_start": "2026-11-01T09:00:00Z",
            "exercises_completed": [{"concept": "x" * 201, "correct": True}],
        },
        {
            "session_start": "2026-11-01T09:00:00Z",
            "exercises_completed": [{"concept": "x", "correct": True, "answered_at": "soon"}],
        },
        {"session_start": "2026-11-01T09:00:00Z", "surprise": True},
        {},
    ],
)
def test_invalid_sessions_are_422(api: Api, learner: dict, body: dict) -> None:
    response = api.http.post(f"/api/learners/{learner['id']}/sessions", json=body)
    assert response.status_code == 422, response.text


def test_sessions_are_listed_newest_first_with_a_cursor(api: Api, learner: dict) -> None:
    path = f"/api/learners/{learner['id']}/sessions"
    for day in range(1, 8):
        assert (
            api.http.post(
                path, json={"session_start": f"2026-10-0{day}T12:00:00Z", "duration_minutes": day}
            ).status_code
            == 201
        )
    first = api.http.get(path, params={"limit": 3}).json()
    assert [s["duration_minutes"] for s in first["items"]] == [7, 6, 5]
    second = api.http.get(path, params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [s["duration_minutes"] for s in second["items"]] == [4, 3, 2]
    third = api.http.get(path, params={"limit": 3, "cursor": second["next_cursor"]}).json()
    assert [s["duration_minutes"] for s in third["items"]] == [1] and third["next_cursor"] is None

    window = api.http.get(
        path, params={"since": "2026-10-03T00:00:00Z", "until": "2026-10-05T12:00:00Z"}
    ).json()
    assert [s["duration_minutes"] for s in window["items"]] == [4, 3]
    assert api.http.get(path, params={"cursor": "garbage!"}).status_code == 422
    assert api.http.get(path, params={"limit": 0}).status_code == 422
    assert api.http.get(path, params={"limit": 101}).status_code == 422


def test_responses_are_stored_and_validated(api: Api, learner: dict) -> None:
    path = f"/api/learners/{learner['id']}/responses"
    ok = api.http.post(
        path,
        json={
            "responses": [
                {"concept": "joins", "correct": True},
                {
                    "concept": " joins ",
                    "correct": False,
                    "answered_at": "2026-11-01T10:00:00+05:00",
                },
            ]
        },
    )
    assert ok.status_code == 201 and ok.json() == {"stored": 2}
    assert api.http.post(path, json={"responses": []}).status_code == 422
    assert (
        api.http.post(
            path, json={"responses": [{"concept": "x", "correct": True}] * 1001}
        ).status_code
        == 422
    )
    assert (
        api.http.post(path, json={"responses": [{"concept": "x", "correct": "yes"}]}).status_code
        == 422
    )
    assert (
        api.http.post(
            path, json={"responses": [{"concept": "x", "correct": True, "session_id": 999999999}]}
        ).status_code
        == 422
    )
    assert (
        api.http.post(
            path,
            json={"responses": [{"concept": "x", "correct": True, "content_id": "not-a-uuid"}]},
        ).status_code
        == 422
    )
    assert (
        api.http.post(
            path, json={"responses": [{"concept": "x", "correct": True, "x": 1}]}
        ).status_code
        == 422
    )
    thousand = api.http.post(
        path,
        json={"responses": [{"concept": f"c{i % 7}", "correct": i % 2 == 0} for i in range(1000)]},
    )
    assert thousand.status_code == 201 and thousand.json() == {"stored": 1000}


def test_a_response_may_point_at_its_session(api: Api, learner: dict) -> None:
    session = api.http.post(
        f"/api/learners/{learner['id']}/sessions", json={"session_start": "2026-11-01T08:00:00Z"}
    ).json()
    response = api.http.post(
        f"/api/learners/{learner['id']}/responses",
        json={"responses": [{"concept": "joins", "correct": True, "session_id": session["id"]}]},
    )
    assert response.status_code == 201
