"""Analytics end to end: exact velocity, trend and gap figures from the running worker."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.api import Api

AS_OF = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _session(api: Api, learner_id: int, start: datetime, **fields: object) -> None:
    response = api.http.post(
        f"/api/learners/{learner_id}/sessions", json={"session_start": _iso(start), **fields}
    )
    assert response.status_code == 201, response.text


def test_velocity_trend_and_gaps_match_the_formulas(api: Api) -> None:
    learner = api.create_learner(experience_level="intermediate")
    lid = learner["id"]
    # Inside the 14-day window: two recent sessions (last 7 days), two historical ones.
    _session(
        api,
        lid,
        AS_OF - timedelta(days=2),
        duration_minutes=30,
        completion_rate=1.0,
        performance_score=0.9,
        exercises_completed=[{"concept": "joins", "correct": True}],
    )
    _session(
        api,
        lid,
        AS_OF - timedelta(days=5),
        duration_minutes=60,
        completion_rate=0.5,
        performance_score=0.8,
        exercises_completed=[{"a": 1}, {"b": 2}],
    )
    _session(api, lid, AS_OF - timedelta(days=9), duration_minutes=45, performance_score=0.5)
    _session(
        api,
        lid,
        AS_OF - timedelta(days=13, hours=23),
        duration_minutes=15,
        completion_rate=0.25,
        performance_score=0.6,
    )
    # Outside the window (too old, and exactly at as_of which is excluded).
    _session(api, lid, AS_OF - timedelta(days=15), duration_minutes=600, performance_score=0.0)
    _session(api, lid, AS_OF, duration_minutes=600, performance_score=0.0)

    answers = [
        ("joins", True),
        ("joins", False),
        ("joins", False),
        ("window functions", False),
        ("indexes", True),
    ]
    response = api.http.post(
        f"/api/learners/{lid}/responses",
        json={
            "responses": [
                {"concept": c, "correct": ok, "answered_at": _iso(AS_OF - timedelta(days=1))}
                for c, ok in answers
            ]
        },
    )
    assert response.status_code == 201 and response.json() == {"stored": 5}

    submitted = api.submit_analytics(lid, days=14, as_of=_iso(AS_OF))
    assert submitted.status_code == 202, submitted.text
    job = api.wait_job(submitted.json()["id"])
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert job["result_url"] == f"/api/learners/{lid}/analytics"

    n = 4
    spw = n / (14 / 7)
    avg_duration = (30 + 60 + 45 + 15) / 4
    avg_completion = (1.0 + 0.5 + 0.25) / 3
    exercises = (1 + 2 + 0 + 0) / 4
    velocity = result["velocity"]
    assert velocity["sessions_per_week"] == pytest.approx(spw)
    assert velocity["avg_session_duration"] == pytest.approx(avg_duration)
    assert velocity["avg_completion_rate"] == pytest.approx(avg_completion)
    assert velocity["exercises_per_session"] == pytest.approx(exercises)
    assert velocity["velocity_score"] == pytest.approx(
        spw * 0.3 + avg_duration / 60 * 0.2 + avg_completion * 0.3 + exercises * 0.2
    )
    assert velocity["recent_performance"] == pytest.approx(0.85)
    assert velocity["historical_performance"] == pytest.approx(0.55)
    assert velocity["trend"] == "improving"

    # The session item {"concept": "joins", "correct": true} was stored as a response too,
    # but at its session's time (2 days before as_of), so "joins" has 4 answers, 2 wrong.
    gaps = {gap["concept"]: gap for gap in result["knowledge_gaps"]}
    assert set(gaps) == {"joins", "window functions"}
    assert gaps["joins"]["total"] == 4 and gaps["joins"]["incorrect"] == 2
    assert gaps["joins"]["priority_score"] == pytest.approx(0.5 * 1.5 * math.log(5))
    assert gaps["joins"]["severity"] == "medium"
    assert gaps["window functions"]["error_rate"] == 1.0
    assert gaps["window functions"]["severity"] == "high"
    # joins: 0.5 · 1.5 · ln 5 ≈ 1.207 outranks window functions: 1.0 · 1.5 · ln 2 ≈ 1.040.
    assert [g["concept"] for g in result["knowledge_gaps"]] == ["joins", "window functions"]

    latest = api.http.get(f"/api/learners/{lid}/analytics")
    assert latest.status_code == 200
    assert latest.json()["velocity"] == velocity
    profile = api.http.get(f"/api/learners/{lid}").json()
    assert profile["engagement_metrics"]["velocity_score"] == pytest.approx(
        velocity["velocity_score"]
    )
    assert (
        profile["knowledge_state"]["top_gaps"][0]["concept"]
        == result["knowledge_gaps"][0]["concept"]
    )


def test_no_sessions_gives_zeros_and_insufficient_data(api: Api, learner: dict) -> None:
    job = api.wait_job(api.submit_analytics(learner["id"]).json()["id"])
    velocity = job["result"]["velocity"]
    assert velocity["trend"] == "insufficient_data"
    assert all(
        velocity[key] == 0
        for key in (
            "sessions_per_week",
            "avg_session_duration",
            "avg_completion_rate",
            "exercises_per_session",
            "velocity_score",
        )
    )
    assert job["result"]["knowledge_gaps"] == []


def test_a_result_for_an_earlier_as_of_does_not_replace_the_learners_current_figures(
    api: Api, learner: dict
) -> None:
    lid = learner["id"]
    _session(api, lid, AS_OF - timedelta(days=2), duration_minutes=30)
    current = api.wait_job(api.submit_analytics(lid, as_of=_iso(AS_OF)).json()["id"])
    assert current["status"] == "succeeded"
    earlier = AS_OF - timedelta(days=60)
    past = api.wait_job(api.submit_analytics(lid, as_of=_iso(earlier)).json()["id"])
    assert past["status"] == "succeeded" and past["result"]["velocity"]["sessions"] == 0
    stored = api.http.get(f"/api/learners/{lid}").json()
    assert stored["engagement_metrics"]["as_of"] == _iso(AS_OF)
    assert stored["engagement_metrics"]["sessions"] == 1


def test_without_as_of_a_job_computes_as_of_its_creation_by_the_database_clock(
    api: Api, learner: dict
) -> None:
    """R7: as_of came from the gateway's clock, answered_at and created_at from the database's."""
    job = api.wait_job(api.submit_analytics(learner["id"]).json()["id"])
    assert job["status"] == "succeeded"
    assert _instant(job["result"]["as_of"]) == _instant(job["created_at"])
    assert _instant(job["result"]["computed_at"]) >= _instant(job["created_at"])


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
