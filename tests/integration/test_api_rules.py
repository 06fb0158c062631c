"""The rules of the HTTP contract, docs/api.md, that need a job to finish (timestamps in results,
a finished job's fields and answers, foreign results, the request side of Content generation
and Analytics as the workers see it), each checked through the running gateway and workers.
The rules the gateway alone decides are in tests/gateway/ (in-process); each test name here
says which rule it holds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.api import TERMINAL, Api, assert_problem, assert_utc
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack

JOB_FIELDS = {
    "id",
    "kind",
    "learner_id",
    "status",
    "created_at",
    "started_at",
    "finished_at",
    "attempts",
    "error",
    "result_url",
    "result",
}
TIMESTAMP_KEYS = {"session_start", "session_end", "as_of"}


# --- helpers --------------------------------------------------------------------------------------


def timestamps(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) whose key names a timestamp: `*_at`, session_start/end, as_of."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            if (key.endswith("_at") or key in TIMESTAMP_KEYS) and not isinstance(item, dict):
                yield here, item
            yield from timestamps(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from timestamps(item, f"{path}[{index}]")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def me(stack: Stack) -> Iterator[Api]:
    """One signed-in user for the tests that only read, or submit a job or two."""
    client = Api(stack.base_url).new_user()
    yield client
    client.close()


@pytest.fixture(scope="module")
def jobs_user(stack: Stack) -> Iterator[Api]:
    """A second shared user for the job tests (at most 30 submissions a minute per user)."""
    client = Api(stack.base_url).new_user()
    yield client
    client.close()


@pytest.fixture(scope="module")
def stranger(stack: Stack) -> Iterator[Api]:
    client = Api(stack.base_url).new_user()
    yield client
    client.close()


# --- Conventions: JSON and timestamps --------------------------------------------------------------


def test_every_timestamp_the_api_emits_is_in_utc(stack: Stack, me: Api) -> None:
    """Users, learners (incl. knowledge_state), sessions, responses' mastery, jobs, content and
    analytics: every `*_at`, session_start/end and as_of is ISO 8601 in UTC."""
    fresh = Api(stack.base_url)
    try:
        documents: list[Any] = [fresh.register()]
    finally:
        fresh.close()
    learner = me.create_learner()
    lid = learner["id"]
    documents.append(me.http.get("/api/users/me").json())
    documents.append(
        me.http.post(
            f"/api/learners/{lid}/sessions",
            json={
                "session_start": "2026-11-01T10:00:00+05:30",
                "session_end": "2026-11-01T05:15:00.250-00:00",
                "exercises_completed": [
                    {
                        "concept": "joins",
                        "correct": True,
                        "answered_at": "2026-11-01T01:00:00-08:00",
                    }
                ],
            },
        ).json()
    )
    me.http.post(
        f"/api/learners/{lid}/responses",
        json={"responses": [{"concept": "indexes", "correct": False}]},
    )
    content_job = me.wait_job(me.submit_content(lid, concept="Timestamps").json()["id"])
    analytics_job = me.wait_job(me.submit_analytics(lid, days=365).json()["id"])
    assert content_job["status"] == analytics_job["status"] == "succeeded"
    documents += [
        content_job,
        analytics_job,
        me.http.get(content_job["result_url"]).json(),
        me.http.get(f"/api/learners/{lid}/analytics").json(),
        me.http.get(f"/api/learners/{lid}").json(),  # knowledge_state holds next_review_at
        me.http.get(f"/api/learners/{lid}/sessions").json(),
        me.http.get("/api/jobs", params={"learner_id": lid}).json(),
    ]
    found = [(where, value) for document in documents for where, value in timestamps(document)]
    assert len(found) > 20
    assert any(".exercises_completed[" in where for where, _ in found)  # answered_at, sent -08:00
    for where, value in found:
        if value is not None:
            assert_utc(value, where)
    mastery = analytics_job["result"]["mastery"]
    assert {m["concept"] for m in mastery} == {"joins", "indexes"}
    assert any(where.endswith("next_review_at") for where, _ in found)


def test_analytics_as_of_accepts_any_offset_and_answers_in_utc(me: Api) -> None:
    learner = me.create_learner()
    submitted = me.submit_analytics(learner["id"], days=7, as_of="2026-11-01T17:30:00+05:30")
    assert submitted.status_code == 202, submitted.text
    job = me.wait_job(submitted.json()["id"])
    assert job["status"] == "succeeded", job
    assert assert_utc(job["result"]["as_of"]) == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


# --- Conventions: problem details ----------------------------------------------------------------
def _error_requests(me: Api, stack: Stack) -> list[tuple[str, int, httpx.Response]]:
    learner = me.create_learner()
    lid = learner["id"]
    finished = me.wait_job(me.submit_analytics(lid).json()["id"])
    anonymous = httpx.Client(base_url=stack.base_url)
    name = f"dup_{uuid.uuid4().hex[:10]}"
    registration = {"username": name, "email": f"{name}@example.com", "password": "longenough"}
    assert anonymous.post("/api/auth/register", json=registration).status_code == 201
    big = b'{"responses": [' + b" " * (1024 * 1024) + b"]}"
    try:
        return [
            ("no token", 401, anonymous.get("/api/learners")),
            (
                "bad token",
                401,
                anonymous.get("/api/users/me", headers={"Authorization": "Bearer x"}),
            ),
            (
                "wrong password",
                401,
                anonymous.post(
                    "/api/auth/token",
                    data={"username": name, "password": "not-the-password"},
                    headers={"X-Forwarded-For": "10.253.0.1"},
                ),
            ),
            ("not an admin", 403, me.http.get("/api/admin/stats")),
            ("unknown path", 404, me.http.get("/api/nothing-here")),
            ("unknown learner", 404, me.http.get("/api/learners/987654321987")),
            ("unknown job", 404, me.http.get(f"/api/jobs/{uuid.uuid4()}")),
            (
                "no analytics yet",
                404,
                me.http.get(f"/api/learners/{me.create_learner()['id']}/analytics"),
            ),
            ("wrong method", 405, me.http.put("/api/learners")),
            ("duplicate user", 409, anonymous.post("/api/auth/register", json=registration)),
            (
                "duplicate niche",
                409,
                me.http.post(
                    "/api/learners",
                    json={
                        "target_niche": learner["target_niche"],
                        "experience_level": "beginner",
                        "preferred_learning_style": "visual",
                    },
                ),
            ),
            ("cancel finished job", 409, me.http.delete(f"/api/jobs/{finished['id']}")),
            (
                "too large",
                413,
                me.http.post(
                    f"/api/learners/{lid}/responses",
                    content=big,
                    headers={"Content-Type": "application/json"},
                ),
            ),
            (
                "media type",
                415,
                anonymous.post(
                    "/api/auth/token", content=b"x", headers={"Content-Type": "text/plain"}
                ),
            ),
            ("invalid field", 422, me.submit_analytics(lid, days=0)),
        ]
    finally:
        anonymous.close()


def test_every_error_status_is_a_problem_details_body(me: Api, stack: Stack) -> None:
    answers = _error_requests(me, stack)
    for label, status, response in answers:
        problem = assert_problem(response, status)
        assert problem["detail"] != problem["title"], label  # says what was wrong
        assert "Traceback" not in response.text and "asyncpg" not in response.text, label
        assert response.headers["X-Request-ID"], label
    assert {status for _, status, _ in answers} == {401, 403, 404, 405, 409, 413, 415, 422}


# --- Learning sessions and exercise responses ------------------------------------------------------
def test_an_answer_without_answered_at_counts_as_answered_now(me: Api) -> None:
    learner = me.create_learner()
    before = datetime.now(UTC) - timedelta(seconds=2)
    stored = me.http.post(
        f"/api/learners/{learner['id']}/responses",
        json={"responses": [{"concept": "now-check", "correct": False}]},
    )
    assert stored.status_code == 201 and stored.json() == {"stored": 1}
    after = datetime.now(UTC) + timedelta(seconds=2)

    def gaps(as_of: datetime) -> dict[str, Any]:
        job = me.wait_job(me.submit_analytics(learner["id"], days=1, as_of=iso(as_of)).json()["id"])
        assert job["status"] == "succeeded", job
        return job["result"]

    assert gaps(before)["mastery"] == []  # not answered yet at `before`
    later = gaps(after)
    assert [g["concept"] for g in later["knowledge_gaps"]] == ["now-check"]
    answered = assert_utc(later["mastery"][0]["last_answered_at"])
    assert before <= answered <= after


# --- Jobs -------------------------------------------------------------------------------------------


def test_a_job_has_exactly_the_documented_fields(jobs_user: Api) -> None:
    learner = jobs_user.create_learner()
    for submitted in (
        jobs_user.submit_content(learner["id"], concept="Fields", content_type="exercise"),
        jobs_user.submit_analytics(learner["id"]),
    ):
        job = submitted.json()
        assert set(job) == JOB_FIELDS
        uuid.UUID(job["id"])
        assert job["status"] == "queued" and job["attempts"] == 0
        assert job["started_at"] is job["finished_at"] is job["error"] is job["result"] is None
        assert job["result_url"] is None
        done = jobs_user.wait_job(job["id"])
        assert set(done) == JOB_FIELDS
        assert done["status"] == "succeeded" and done["error"] is None
        assert isinstance(done["result"], dict) and done["result_url"]
        assert jobs_user.http.get(done["result_url"]).status_code == 200
        listed = jobs_user.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()[
            "items"
        ]
        assert all(set(item) == JOB_FIELDS for item in listed)
        for item in listed:
            assert item["status"] in {"queued", "running", "succeeded", "failed", "canceled"}
            assert item["error"] is None or set(item["error"]) == {"code", "message"}


def test_polling_an_unfinished_job_sends_retry_after_and_a_finished_one_does_not(
    jobs_user: Api, model_server: ModelServerProcess
) -> None:
    learner = jobs_user.create_learner()
    held = jobs_user.submit_content(
        learner["id"], concept=model_server.control.hold(seconds=3)
    ).json()
    polled = jobs_user.http.get(f"/api/jobs/{held['id']}")
    assert polled.json()["status"] in {"queued", "running"}, polled.json()  # for 3 s at least
    assert int(polled.headers["Retry-After"]) >= 1
    quick = jobs_user.wait_job(jobs_user.submit_analytics(learner["id"]).json()["id"])
    assert quick["status"] in TERMINAL
    assert "Retry-After" not in jobs_user.http.get(f"/api/jobs/{quick['id']}").headers


def test_cancelling_a_finished_job_is_a_409_problem_and_changes_nothing(jobs_user: Api) -> None:
    learner = jobs_user.create_learner()
    done = jobs_user.wait_job(jobs_user.submit_analytics(learner["id"]).json()["id"])
    problem = assert_problem(jobs_user.http.delete(f"/api/jobs/{done['id']}"), 409)
    assert problem["detail"]
    assert jobs_user.http.get(f"/api/jobs/{done['id']}").json() == done


# --- Foreign resources look missing (no existence leak) -----------------------------------------
def _same_answer(
    foreign: httpx.Response, missing: httpx.Response, foreign_id: Any, missing_id: Any
) -> None:
    assert foreign.status_code == missing.status_code, (foreign.text, missing.text)
    assert foreign.headers["content-type"] == missing.headers["content-type"]
    normalized = [
        re.sub(rf"\b{re.escape(str(i))}\b", "<id>", r.text)
        for r, i in ((foreign, foreign_id), (missing, missing_id))
    ]
    assert normalized[0] == normalized[1]


def test_a_foreign_resource_answers_exactly_like_a_missing_one(me: Api, stranger: Api) -> None:
    mine = me.create_learner()
    session = me.http.post(
        f"/api/learners/{mine['id']}/sessions", json={"session_start": "2026-11-01T09:00:00Z"}
    ).json()
    content = me.wait_job(me.submit_content(mine["id"], concept="Private").json()["id"])
    analytics = me.wait_job(me.submit_analytics(mine["id"]).json()["id"])
    missing_learner = 2**62
    bodies = {
        "/sessions": {"session_start": "2026-11-01T09:00:00Z"},
        "/responses": {"responses": [{"concept": "x", "correct": True}]},
        "/generate-content": {"concept": "x", "content_type": "lesson"},
        "/analytics": {},
    }
    for method, suffix in [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("GET", "/sessions"),
        ("POST", "/sessions"),
        ("POST", "/responses"),
        ("GET", "/content"),
        ("POST", "/generate-content"),
        ("GET", "/analytics"),
        ("POST", "/analytics"),
    ]:
        body = (
            bodies.get(suffix)
            if method == "POST"
            else ({"experience_level": "advanced"} if method == "PATCH" else None)
        )
        foreign = stranger.http.request(method, f"/api/learners/{mine['id']}{suffix}", json=body)
        missing = stranger.http.request(
            method, f"/api/learners/{missing_learner}{suffix}", json=body
        )
        assert foreign.status_code == 404, (method, suffix, foreign.text)
        _same_answer(foreign, missing, mine["id"], missing_learner)
    for job in (content, analytics):
        for method in ("GET", "DELETE"):
            unknown = uuid.uuid4()
            foreign = stranger.http.request(method, f"/api/jobs/{job['id']}")
            missing = stranger.http.request(method, f"/api/jobs/{unknown}")
            assert foreign.status_code == 404
            _same_answer(foreign, missing, job["id"], unknown)
    content_id = content["result"]["content_id"]
    unknown = uuid.uuid4()
    foreign = stranger.http.get(f"/api/content/{content_id}")
    assert foreign.status_code == 404
    _same_answer(foreign, stranger.http.get(f"/api/content/{unknown}"), content_id, unknown)
    # Referring to someone else's session or content from one's own learner.
    theirs = stranger.create_learner()
    path = f"/api/learners/{theirs['id']}/responses"
    for field, foreign_id, missing_id in [
        ("session_id", session["id"], 2**62),
        ("content_id", content_id, str(uuid.uuid4())),
    ]:
        item = {"concept": "x", "correct": True}
        foreign = stranger.http.post(path, json={"responses": [{**item, field: foreign_id}]})
        missing = stranger.http.post(path, json={"responses": [{**item, field: missing_id}]})
        assert foreign.status_code == 422, foreign.text
        _same_answer(foreign, missing, foreign_id, missing_id)
    listed = stranger.http.get("/api/jobs", params={"learner_id": mine["id"]}).json()
    assert listed == stranger.http.get("/api/jobs", params={"learner_id": missing_learner}).json()
    assert listed["items"] == []
    # Nothing the stranger did touched the owner's data.
    assert me.http.get(f"/api/learners/{mine['id']}").json()["experience_level"] == "beginner"
    assert me.http.get(f"/api/jobs/{analytics['id']}").json()["status"] == "succeeded"


# --- Content generation (request side) -----------------------------------------------------------
def test_a_concept_of_one_and_of_two_hundred_characters_after_trimming_is_accepted(
    jobs_user: Api,
) -> None:
    learner = jobs_user.create_learner()
    for concept in ("x", " y ", " " + "z" * 200 + "  "):
        response = jobs_user.submit_content(learner["id"], concept=concept)
        assert response.status_code == 202, (concept, response.text)
        done = jobs_user.wait_job(response.json()["id"])
        assert done["result"]["concept"] == concept.strip()


# --- Analytics (request side) ------------------------------------------------------------------
def test_days_may_be_1_to_365_and_default_to_30(me: Api) -> None:
    learner = me.create_learner()
    as_of = "2026-11-01T00:00:00Z"
    for body, window in (({"days": 1}, 1), ({"days": 365}, 365), ({}, 30)):
        job = me.wait_job(me.submit_analytics(learner["id"], as_of=as_of, **body).json()["id"])
        assert job["status"] == "succeeded" and job["result"]["window_days"] == window, job
    for days in (0, 366):
        assert_problem(me.submit_analytics(learner["id"], days=days), 422)


def test_as_of_defaults_to_the_time_of_submission(me: Api) -> None:
    learner = me.create_learner()
    before = datetime.now(UTC) - timedelta(seconds=2)
    submitted = me.http.post(f"/api/learners/{learner['id']}/analytics")  # no body at all
    after = datetime.now(UTC) + timedelta(seconds=2)
    assert submitted.status_code == 202, submitted.text
    job = me.wait_job(submitted.json()["id"])
    assert before <= assert_utc(job["result"]["as_of"]) <= after
    assert job["result"]["window_days"] == 30
