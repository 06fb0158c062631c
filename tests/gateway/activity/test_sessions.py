"""Learning sessions and exercise responses (docs/api.md): timestamps in any offset, emitted in
UTC, the supported range, free-form JSON and strict numbers. Moved from the integration suite's
test_api_rules.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.support.api import Api, assert_problem, assert_utc


def test_answered_at_inside_a_session_is_echoed_in_utc(me: Api) -> None:
    """An exercises_completed answer's answered_at is stored as an exercise response and echoed
    in the session converted to UTC, like every other timestamp."""
    learner = me.create_learner()
    session = me.http.post(
        f"/api/learners/{learner['id']}/sessions",
        json={
            "session_start": "2026-11-01T09:00:00Z",
            "exercises_completed": [
                {"concept": "joins", "correct": True, "answered_at": "2026-11-01T01:00:00-08:00"}
            ],
        },
    )
    assert session.status_code == 201, session.text
    echoed = assert_utc(session.json()["exercises_completed"][0]["answered_at"])
    assert echoed == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


OFFSETS = [
    ("2026-11-01T14:30:00+05:30", "2026-11-01T09:00:00Z"),
    ("2026-11-01T01:00:00-08:00", "2026-11-01T09:00:00Z"),
    ("2026-11-01T23:00:00+14:00", "2026-11-01T09:00:00Z"),
    ("2026-10-31T21:00:00-12:00", "2026-11-01T09:00:00Z"),
    ("2026-11-01T09:00:00+00:00", "2026-11-01T09:00:00Z"),
    ("2026-11-01T09:00:00Z", "2026-11-01T09:00:00Z"),
    ("2026-11-01T10:00:00.123456+01:00", "2026-11-01T09:00:00.123456Z"),
]


@pytest.mark.parametrize(("sent", "stored"), OFFSETS, ids=[s for s, _ in OFFSETS])
def test_any_iso_offset_is_accepted_and_emitted_in_utc(me: Api, sent: str, stored: str) -> None:
    learner = me.create_learner()
    response = me.http.post(f"/api/learners/{learner['id']}/sessions", json={"session_start": sent})
    assert response.status_code == 201, response.text
    instant = datetime.fromisoformat(stored)
    assert assert_utc(response.json()["session_start"]) == instant
    # The same offsets work in the listing's filters: since is inclusive, until exclusive.
    path = f"/api/learners/{learner['id']}/sessions"
    a_second_later = (instant + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=-3)))
    window = me.http.get(path, params={"since": sent, "until": a_second_later.isoformat()})
    assert [s["id"] for s in window.json()["items"]] == [response.json()["id"]]
    before = me.http.get(path, params={"until": sent}).json()["items"]
    assert before == []


def test_session_boundaries(me: Api) -> None:
    learner = me.create_learner()
    path = f"/api/learners/{learner['id']}/sessions"
    same = me.http.post(
        path, json={"session_start": "2026-11-01T09:00:00Z", "session_end": "2026-11-01T09:00:00Z"}
    )
    assert same.status_code == 201 and same.json()["duration_minutes"] == 0
    for rate in (0, 1, 0.0, 1.0):
        response = me.http.post(
            path,
            json={
                "session_start": "2026-11-01T09:00:00Z",
                "completion_rate": rate,
                "performance_score": rate,
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["completion_rate"] == rate
    started_only = me.http.post(path, json={"session_start": "2026-11-01T09:00:00Z"})
    assert started_only.json()["duration_minutes"] is None
    assert started_only.json()["content_accessed"] == []
    assert started_only.json()["exercises_completed"] == []


def test_timestamps_from_1900_up_to_2200_utc_are_accepted_and_outside_is_422(me: Api) -> None:
    """The supported range is 1900-01-01 (inclusive) to 2200-01-01 (exclusive) in UTC, after
    applying the offset; timestamps are ISO 8601 strings, never numbers."""
    learner = me.create_learner()
    path = f"/api/learners/{learner['id']}/sessions"
    for start, end in [
        ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z"),
        ("1900-01-01T05:30:00+05:30", "1900-01-01T00:30:00Z"),
        ("2199-12-31T23:59:59.999999Z", "2199-12-31T23:59:59.999999Z"),
        ("2199-12-31T20:00:00-03:00", "2199-12-31T23:59:59-00:00"),
    ]:
        response = me.http.post(path, json={"session_start": start, "session_end": end})
        assert response.status_code == 201, (start, end, response.text)
        session = response.json()
        assert assert_utc(session["session_start"]) == datetime.fromisoformat(start)
        assert assert_utc(session["session_end"]) == datetime.fromisoformat(end)
    for outside in (
        "1899-12-31T23:59:59.999999Z",
        "1900-01-01T00:30:00+01:00",
        "2200-01-01T00:00:00Z",
        "2199-12-31T23:30:00-01:00",
        1_793_523_600,
    ):
        problem = assert_problem(me.http.post(path, json={"session_start": outside}), 422)
        assert ["body", "session_start"] in [error["loc"] for error in problem["errors"]]
    assert len(me.http.get(path).json()["items"]) == 4


def test_free_form_session_json_within_the_limits_is_stored_as_sent(me: Api) -> None:
    """content_accessed and exercises_completed take any JSON with 64-bit integers, text without
    NUL or lone surrogates, and nesting up to 16 levels."""
    learner = me.create_learner()
    nested: Any = ["bottom"]
    for _ in range(15):
        nested = [nested]  # content_accessed itself plus 15 levels below it: 16
    content = [2**63 - 1, -(2**63), 0.5, True, None, "é \u200b 😀 \n", {"k": {"": []}}]
    exercises = [{"note": "free-form", "nested": {"a": [1, 2]}, "n": 2**63 - 1}]
    for body in (
        {"content_accessed": content, "exercises_completed": exercises},
        {"content_accessed": nested},
    ):
        response = me.http.post(
            f"/api/learners/{learner['id']}/sessions",
            json={"session_start": "2026-11-01T09:00:00Z", **body},
        )
        assert response.status_code == 201, response.text
        for name, value in body.items():
            assert response.json()[name] == value, name


def test_numbers_in_bodies_are_strict_but_integers_are_valid_scores(me: Api) -> None:
    """`true` is not 1 (422), a number is not a timestamp (422); an integer 0 or 1 is a valid
    score."""
    learner = me.create_learner()
    lid = learner["id"]
    session = {"session_start": "2026-11-01T09:00:00Z"}
    for field in ("duration_minutes", "completion_rate", "performance_score"):
        for value in (True, False):
            response = me.http.post(f"/api/learners/{lid}/sessions", json={**session, field: value})
            problem = assert_problem(response, 422)
            assert ["body", field] in [error["loc"] for error in problem["errors"]], problem
    for value in (True, False):
        problem = assert_problem(me.submit_analytics(lid, days=value), 422)
        assert ["body", "days"] in [error["loc"] for error in problem["errors"]], problem
    assert me.http.get(f"/api/learners/{lid}/sessions").json()["items"] == []
    assert me.http.get("/api/jobs", params={"learner_id": lid}).json()["items"] == []
    accepted = me.http.post(
        f"/api/learners/{lid}/sessions",
        json={**session, "duration_minutes": 5, "completion_rate": 1, "performance_score": 0},
    )
    assert accepted.status_code == 201, accepted.text
