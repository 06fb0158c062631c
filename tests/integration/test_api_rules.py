"""The rules of the HTTP contract, docs/api.md (Conventions, Auth, Learners, Learning sessions and
exercise responses, Jobs, and the request side of Content generation, Analytics and Health) that
the other integration tests did not pin down yet, each checked through the running gateway.
Malformed input of every kind, per endpoint, is swept in test_bad_input.py; each test name here
says which rule it holds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from tests.support.api import TERMINAL, Api, assert_problem
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
PUBLIC_OPERATIONS = {
    ("get", "/api/health"),
    ("get", "/api/health/live"),
    ("get", "/api/health/ready"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/token"),
}
TIMESTAMP_KEYS = {"session_start", "session_end", "as_of"}


# --- helpers --------------------------------------------------------------------------------------
def assert_utc(value: str, where: str = "") -> datetime:
    """An ISO 8601 timestamp with an explicit UTC designator (`Z` or `+00:00`)."""
    assert isinstance(value, str) and value.endswith(("Z", "+00:00")), (where, value)
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == timedelta(0), (where, value)
    return moment


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


def email_of_length(length: int, local: str) -> str:
    """A syntactically valid address of exactly `length` characters (labels ≤ 63, local ≤ 64)."""
    rest = length - len(local) - 1 - len(".com")
    first = rest // 2
    return f"{local}@{'a' * first}.{'b' * (rest - first - 1)}.com"


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
def test_successful_answers_are_json_and_204_has_no_body(me: Api) -> None:
    learner = me.create_learner()
    answers = [
        me.http.get("/api/users/me"),
        me.http.get("/api/learners"),
        me.http.post(
            f"/api/learners/{learner['id']}/sessions",
            json={"session_start": "2026-11-01T09:00:00Z"},
        ),
        me.submit_analytics(learner["id"]),
        me.http.get("/api/health"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 201, 202, 200]
    for answer in answers:
        assert answer.headers["content-type"].split(";")[0] == "application/json", answer.url
        answer.json()
    deleted = me.http.delete(f"/api/learners/{learner['id']}")
    assert deleted.status_code == 204 and deleted.content == b""


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


VALIDATION_CASES = [
    (
        "body field",
        "POST",
        "/api/learners/{lid}/analytics",
        {"json": {"days": 0}},
        ["body", "days"],
    ),
    (
        "nested body field",
        "POST",
        "/api/learners/{lid}/responses",
        {"json": {"responses": [{"concept": "x", "correct": "yes"}]}},
        ["body", "responses", 0, "correct"],
    ),
    ("missing field", "POST", "/api/learners", {"json": {}}, ["body", "target_niche"]),
    ("query", "GET", "/api/learners/{lid}/sessions", {"params": {"limit": 0}}, ["query", "limit"]),
    ("path", "GET", "/api/learners/abc", {}, ["path", "learner_id"]),
    (
        "header",
        "POST",
        "/api/learners/{lid}/analytics",
        {"json": {}, "headers": {"Idempotency-Key": "k" * 256}},
        ["header", "Idempotency-Key"],
    ),
    (
        "sign-in JSON",
        "POST",
        "/api/auth/token",
        {"json": {"username": "someone"}},
        ["body", "password"],
    ),
    (
        "cursor",
        "GET",
        "/api/learners/{lid}/sessions",
        {"params": {"cursor": "garbage!"}},
        ["query", "cursor"],
    ),
    (
        "null in PATCH",
        "PATCH",
        "/api/learners/{lid}",
        {"json": {"experience_level": None}},
        ["body", "experience_level"],
    ),
]


@pytest.mark.parametrize(
    ("label", "method", "path", "request_kwargs", "loc"),
    VALIDATION_CASES,
    ids=[case[0] for case in VALIDATION_CASES],
)
def test_a_validation_error_lists_each_field_with_loc_and_msg(
    me: Api, label: str, method: str, path: str, request_kwargs: dict, loc: list
) -> None:
    learner = me.create_learner()
    response = me.http.request(
        method,
        path.format(lid=learner["id"]),
        headers={"X-Forwarded-For": "10.253.0.2", **request_kwargs.pop("headers", {})},
        **request_kwargs,
    )
    problem = assert_problem(response, 422)
    assert isinstance(problem.get("errors"), list) and problem["errors"], problem
    for error in problem["errors"]:
        assert isinstance(error["loc"], list) and isinstance(error["msg"], str) and error["msg"]
    assert loc in [error["loc"] for error in problem["errors"]], problem


def test_a_validation_error_lists_every_bad_field(me: Api) -> None:
    response = me.http.post(
        "/api/learners",
        json={"target_niche": "", "experience_level": "guru", "preferred_learning_style": 3},
    )
    problem = assert_problem(response, 422)
    fields = {error["loc"][-1] for error in problem["errors"]}
    assert fields == {"target_niche", "experience_level", "preferred_learning_style"}
    for name in fields:
        assert name in problem["detail"]


# --- Conventions: body size, request ids ----------------------------------------------------------
def _responses_body(size: int) -> bytes:
    base = b'{"responses": [{"concept": "x", "correct": true}]}'
    return base[:-1] + b" " * (size - len(base)) + b"}"


def test_a_body_of_exactly_one_mebibyte_is_accepted_and_one_byte_more_is_413(me: Api) -> None:
    learner = me.create_learner()
    path = f"/api/learners/{learner['id']}/responses"
    headers = {"Content-Type": "application/json"}
    exact = me.http.post(path, content=_responses_body(1024 * 1024), headers=headers)
    assert exact.status_code == 201 and exact.json() == {"stored": 1}
    over = me.http.post(path, content=_responses_body(1024 * 1024 + 1), headers=headers)
    assert_problem(over, 413)


def test_public_endpoints_have_the_same_body_limit(anonymous: Api) -> None:
    big = b'{"username": "' + b"x" * (1024 * 1024) + b'"}'
    for path in ("/api/auth/register", "/api/auth/token"):
        response = anonymous.http.post(
            path, content=big, headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 413)


def test_every_kind_of_answer_carries_and_echoes_the_request_id(me: Api, stack: Stack) -> None:
    learner = me.create_learner()
    other = me.create_learner()
    anonymous = httpx.Client(base_url=stack.base_url)
    big = b'{"responses": [' + b" " * (1024 * 1024) + b"]}"
    calls = {
        200: lambda h: me.http.get("/api/learners", headers=h),
        201: lambda h: me.http.post(
            "/api/learners",
            json={
                "target_niche": f"n_{uuid.uuid4().hex[:8]}",
                "experience_level": "beginner",
                "preferred_learning_style": "visual",
            },
            headers=h,
        ),
        202: lambda h: me.http.post(f"/api/learners/{learner['id']}/analytics", json={}, headers=h),
        204: lambda h: me.http.delete(f"/api/learners/{other['id']}", headers=h),
        401: lambda h: anonymous.get("/api/users/me", headers=h),
        404: lambda h: me.http.get("/api/learners/987654321987", headers=h),
        405: lambda h: me.http.put("/api/learners", headers=h),
        413: lambda h: me.http.post(
            f"/api/learners/{learner['id']}/responses",
            content=big,
            headers={**h, "Content-Type": "application/json"},
        ),
        415: lambda h: anonymous.post(
            "/api/auth/token", content=b"x", headers={**h, "Content-Type": "text/plain"}
        ),
        422: lambda h: me.http.get("/api/jobs", params={"limit": 0}, headers=h),
    }
    try:
        for status, call in calls.items():
            echoed = call({"X-Request-ID": f"client-{status}"})
            assert echoed.status_code == status, (status, echoed.text)
            assert echoed.headers["X-Request-ID"] == f"client-{status}", status
        generated = {calls[status]({}).headers["X-Request-ID"] for status in (200, 404, 422)}
        assert len(generated) == 3 and all(len(value) >= 16 for value in generated)
    finally:
        anonymous.close()


# --- Auth ------------------------------------------------------------------------------------------
def test_every_protected_operation_answers_401_without_a_valid_token(
    anonymous: Api, me: Api
) -> None:
    """Walk /openapi.json: every operation but health and sign-up/in needs `Bearer <token>`."""
    schema = anonymous.http.get("/openapi.json").json()
    protected = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if (method, path) in PUBLIC_OPERATIONS:
                assert not operation.get("security"), (method, path)
                continue
            assert operation.get("security"), f"{method} {path} does not document its auth"
            protected.append((method, path))
    assert len(protected) >= 17
    concrete = {
        "{learner_id}": "1",
        "{job_id}": str(uuid.uuid4()),
        "{content_id}": str(uuid.uuid4()),
    }
    for method, path in protected:
        url = path
        for placeholder, value in concrete.items():
            url = url.replace(placeholder, value)
        for header in (
            {},
            {"Authorization": "Bearer not-a-token"},
            {"Authorization": me.token or ""},
        ):
            response = anonymous.http.request(method, url, headers=header, json={})
            problem = assert_problem(response, 401)
            assert response.headers["WWW-Authenticate"] == "Bearer", (method, path)
            assert "Bearer" in problem["detail"] or "token" in problem["detail"]


def test_anonymous_callers_learn_nothing_from_validation(anonymous: Api, me: Api) -> None:
    """Without a token, malformed ids and bodies are 401 too, never 422 or 404."""
    learner = me.create_learner()
    for method, path, body in [
        ("GET", "/api/learners/abc", None),
        ("GET", "/api/learners/-1", None),
        ("GET", f"/api/learners/{learner['id']}", None),  # exists, but not yours to see
        ("POST", f"/api/learners/{learner['id']}/analytics", {"days": 0}),
        ("POST", "/api/learners", {"unknown": 1}),
        ("GET", "/api/jobs/not-a-uuid", None),
        ("GET", "/api/jobs?status=exploded", None),
    ]:
        response = anonymous.http.request(method, path, json=body)
        assert_problem(response, 401)


def test_registration_boundaries_are_accepted(anonymous: Api) -> None:
    tag = uuid.uuid4().hex
    local = tag[:10]
    domain = "@example.com"
    long_email = email_of_length(120, local)
    assert len(long_email) == 120
    accepted = [
        {"username": tag[:3], "email": f"{local}a{domain}", "password": "8-chars!"},
        {"username": ("u" + tag * 3)[:80], "email": f"{local}b{domain}", "password": "p" * 1024},
        {"username": f"A.b-c_{tag[:6]}", "email": f"{local}c{domain}", "password": "longenough"},
        {"username": f"e_{tag[:10]}", "email": long_email, "password": "longenough"},
    ]
    for body in accepted:
        response = anonymous.http.post("/api/auth/register", json=body)
        assert response.status_code == 201, (body, response.text)
        assert set(response.json()) == {"id", "username", "email", "created_at"}


@pytest.mark.parametrize(
    "change",
    [
        {"password": "7-chars"},
        {"password": " " * 12},
        {"username": "valid_name\n"},
        {"username": "ñandú_user"},
        {"username": "user name"},
        {"username": "user@name"},
        {"email": email_of_length(121, "x" * 10)},  # a valid address, one character too long
        {"email": "two@@example.com"},
    ],
    ids=lambda c: repr(c)[:40],
)
def test_registration_rejects_names_emails_and_passwords_outside_the_rules(
    anonymous: Api, change: dict
) -> None:
    tag = uuid.uuid4().hex[:10]
    body = {"username": f"u_{tag}", "email": f"{tag}@example.com", "password": "longenough"}
    response = anonymous.http.post("/api/auth/register", json={**body, **change})
    problem = assert_problem(response, 422)
    assert [error["loc"][-1] for error in problem["errors"]] == list(change)


def test_the_token_endpoint_documents_both_sign_in_forms(anonymous: Api) -> None:
    schema = anonymous.http.get("/openapi.json").json()
    content = schema["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/json"} <= set(content)


# --- Learners ------------------------------------------------------------------------------------
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


# --- Learning sessions and exercise responses ------------------------------------------------------
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
def test_every_enqueueing_endpoint_answers_202_with_location_and_retry_after(
    jobs_user: Api,
) -> None:
    learner = jobs_user.create_learner()
    requests = [
        ("content", "generate-content", {"concept": "Loops", "content_type": "quiz"}),
        ("analytics", "analytics", {"days": 3}),
    ]
    for kind, endpoint, body in requests:
        path = f"/api/learners/{learner['id']}/{endpoint}"
        key = {"Idempotency-Key": f"{kind}-{uuid.uuid4()}"}
        for attempt in ("first", "idempotent replay"):
            response = jobs_user.http.post(path, json=body, headers=key)
            assert response.status_code == 202, (kind, attempt, response.text)
            job = response.json()
            assert response.headers["Location"] == f"/api/jobs/{job['id']}", (kind, attempt)
            assert int(response.headers["Retry-After"]) >= 1, (kind, attempt)
            assert job["kind"] == kind and job["learner_id"] == learner["id"]
            assert response.headers["content-type"].startswith("application/json")
    listed = jobs_user.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()
    for job in listed["items"]:
        jobs_user.wait_job(job["id"])


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


def test_unfinished_jobs_limit_answers_429_with_retry_after(
    api: Api, learner: dict, model_server: ModelServerProcess
) -> None:
    concept = model_server.control.hold(seconds=4)  # 4 of them run, the others wait: none finishes
    accepted = []
    for index in range(8):
        response = api.submit_content(learner["id"], concept=f"{concept} {index}")
        assert response.status_code == 202, response.text
        accepted.append(response.json()["id"])
    limited = api.submit_analytics(learner["id"])  # the limit spans both kinds
    problem = assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1 and "unfinished" in problem["detail"]
    listed = api.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()["items"]
    assert sorted(job["id"] for job in listed) == sorted(accepted)  # the refused one is not kept
    # Leave nothing queued behind (the running ones finish on their own within seconds).
    for job_id in accepted:
        canceled = api.http.delete(f"/api/jobs/{job_id}")
        assert canceled.status_code in (200, 409), canceled.text


def test_cancelling_a_finished_job_is_a_409_problem_and_changes_nothing(jobs_user: Api) -> None:
    learner = jobs_user.create_learner()
    done = jobs_user.wait_job(jobs_user.submit_analytics(learner["id"]).json()["id"])
    problem = assert_problem(jobs_user.http.delete(f"/api/jobs/{done['id']}"), 409)
    assert problem["detail"]
    assert jobs_user.http.get(f"/api/jobs/{done['id']}").json() == done


def test_an_idempotency_key_also_deduplicates_content_generation(jobs_user: Api) -> None:
    learner = jobs_user.create_learner()
    path = f"/api/learners/{learner['id']}/generate-content"
    key = {"Idempotency-Key": f"content-{uuid.uuid4()}"}
    body = {"concept": "Recursion", "content_type": "lesson"}
    first = jobs_user.http.post(path, json=body, headers=key)
    again = jobs_user.http.post(path, json=body, headers=key)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    changed = jobs_user.http.post(path, json={**body, "fresh": True}, headers=key)
    assert assert_problem(changed, 422)["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    jobs = jobs_user.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()["items"]
    assert [job["id"] for job in jobs] == [first.json()["id"]]
    jobs_user.wait_job(first.json()["id"])


def test_an_idempotency_key_is_bound_to_its_learner_and_endpoint(jobs_user: Api) -> None:
    first_learner, second_learner = jobs_user.create_learner(), jobs_user.create_learner()
    key = {"Idempotency-Key": f"bound-{uuid.uuid4()}"}
    original = jobs_user.http.post(
        f"/api/learners/{first_learner['id']}/analytics", json={"days": 5}, headers=key
    )
    assert original.status_code == 202
    other_learner = jobs_user.http.post(
        f"/api/learners/{second_learner['id']}/analytics", json={"days": 5}, headers=key
    )
    assert_problem(other_learner, 422)
    other_endpoint = jobs_user.http.post(
        f"/api/learners/{first_learner['id']}/generate-content",
        json={"concept": "x", "content_type": "lesson"},
        headers=key,
    )
    assert_problem(other_endpoint, 422)
    for learner, expected in ((first_learner, [original.json()["id"]]), (second_learner, [])):
        jobs = jobs_user.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()
        assert [job["id"] for job in jobs["items"]] == expected
    jobs_user.wait_job(original.json()["id"])


def test_an_idempotency_key_may_be_any_255_printable_ascii_characters(jobs_user: Api) -> None:
    learner = jobs_user.create_learner()
    printable = "".join(chr(c) for c in range(0x21, 0x7F))  # no leading/trailing space in HTTP
    key = (printable * 3)[:254] + "!"
    assert len(key) == 255
    first = jobs_user.http.post(
        f"/api/learners/{learner['id']}/analytics", json={}, headers={"Idempotency-Key": key}
    )
    inner_space = jobs_user.http.post(
        f"/api/learners/{learner['id']}/analytics",
        json={},
        headers={"Idempotency-Key": "with inner spaces"},
    )
    assert first.status_code == inner_space.status_code == 202, (first.text, inner_space.text)
    again = jobs_user.http.post(
        f"/api/learners/{learner['id']}/analytics", json={}, headers={"Idempotency-Key": key}
    )
    assert again.json()["id"] == first.json()["id"]
    for job in (first, inner_space):
        jobs_user.wait_job(job.json()["id"])


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


# --- Health ------------------------------------------------------------------------------------------
def test_health_needs_no_token_and_ignores_a_bad_one(anonymous: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer garbage"}):
        health = anonymous.http.get("/api/health", headers=headers)
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "ok" and body["checks"] == {"database": "ok", "redis": "ok"}
        assert isinstance(body["version"], str) and body["version"]
        assert anonymous.http.get("/api/health/live", headers=headers).json() == {"status": "ok"}
