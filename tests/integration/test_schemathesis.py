"""Schema-driven fuzzing of the live gateway with schemathesis, against its own /openapi.json.

Every documented operation is exercised with generated requests in two modes: `positive` (data
that fits the schema, aimed at a real learner, job and content piece so that requests reach the
core logic) and `negative` (data that violates the schema). Each response must not be a 5xx, must
match the documented schema for its status (errors are `application/problem+json` `Problem`
bodies), must have a documented content type and the documented headers (Location and Retry-After
on 202). All requests are authenticated as a user of this module and carry
`X-Forwarded-For: 10.250.0.1`, so failed sign-ins while fuzzing `POST /api/auth/token` only count
against that address.

The run is bounded and reproducible: Hypothesis is derandomized, keeps no example database, and
runs a few dozen examples per operation and mode.

Then schemathesis's own runner (`st run`) goes over the whole document with every one of its
checks (positive data accepted, negative data rejected, 405 with `Allow`, auth not ignored, use
after free, resource availability, ...) in all four phases (examples, coverage, fuzzing,
stateful); tests/integration/schemathesis_hooks.py keeps valid data valid under the few rules a
schema cannot state (opaque cursors, idempotency keys, session_end after session_start, answers'
references).

Below the runs: replays of the minimal requests the fuzzer once found answering 500 (NUL
characters, lone surrogates and beyond-64-bit integers in free-form JSON, timestamps at the edges
of the datetime range, a NUL in the sign-in username), and checks that the document describes
what the gateway answers (404, 409, 415 and 400 where they occur; health's 503 as the health
object).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode, checks

from tests.support.api import Api
from tests.support.processes import Stack

FORWARDED_FOR = "10.250.0.1"
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
]
# Every operation of the document; test_the_fuzzed_operations_are_all_the_documented_ones keeps
# this list honest when endpoints are added.
OPERATIONS = [
    ("GET", "/api/health"),
    ("GET", "/api/health/live"),
    ("GET", "/api/health/ready"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/token"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("GET", "/api/users/me"),
    ("DELETE", "/api/users/me"),
    ("POST", "/api/users/me/password"),
    ("GET", "/api/users/me/export"),
    ("GET", "/api/learners"),
    ("POST", "/api/learners"),
    ("GET", "/api/learners/{learner_id}"),
    ("PATCH", "/api/learners/{learner_id}"),
    ("DELETE", "/api/learners/{learner_id}"),
    ("POST", "/api/learners/{learner_id}/sessions"),
    ("GET", "/api/learners/{learner_id}/sessions"),
    ("POST", "/api/learners/{learner_id}/responses"),
    ("GET", "/api/jobs/{job_id}"),
    ("DELETE", "/api/jobs/{job_id}"),
    ("GET", "/api/jobs"),
    ("POST", "/api/learners/{learner_id}/generate-content"),
    ("GET", "/api/content/{content_id}"),
    ("GET", "/api/learners/{learner_id}/content"),
    ("POST", "/api/learners/{learner_id}/analytics"),
    ("GET", "/api/learners/{learner_id}/analytics"),
    ("GET", "/api/admin/stats"),
    ("GET", "/api/admin/learner-model"),
]
NOTHING_TO_NEGATE = {
    ("GET", "/api/health"),
    ("GET", "/api/health/live"),
    ("GET", "/api/health/ready"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("GET", "/api/users/me/export"),
}
# Operations that end or change the caller's session (sign out, password, deletion): each runs
# as a user of its own, so the other operations keep a valid token.
ACCOUNT_OPERATIONS = [
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("DELETE", "/api/users/me"),
    ("POST", "/api/users/me/password"),
]
# argon2 makes sign-up and sign-in slow on purpose: fewer examples there.
MAX_EXAMPLES = {("POST", "/api/auth/register"): 5, ("POST", "/api/auth/token"): 8}
DEFAULT_MAX_EXAMPLES = 20


# --- fixtures ----------------------------------------------------------------------------------------
@dataclass
class Target:
    base_url: str
    headers: dict[str, str]
    learner_id: int
    disposable_learner_id: int
    job_id: str
    content_id: str
    # The negative mode may send valid ids of its own caller's resources (and DELETE them), so
    # it runs as a user of its own that owns nothing the other tests use.
    negative_headers: dict[str, str]
    # Each enqueueing operation fuzzes as its own user: 30 submissions a minute per user.
    enqueue_headers: dict[str, dict[str, str]]
    enqueue_learner: dict[str, int]
    account_headers: dict[tuple[str, str], dict[str, str]]
    session: requests.Session


def _user(base_url: str) -> Api:
    client = Api(base_url)
    client.http.headers["X-Forwarded-For"] = FORWARDED_FOR
    return client.new_user()


@pytest.fixture(scope="module")
def target(stack: Stack) -> Iterator[Target]:
    owner, content_user, analytics_user, negative_user = (_user(stack.base_url) for _ in range(4))
    account_users = {operation: _user(stack.base_url) for operation in ACCOUNT_OPERATIONS}
    negative_user.create_learner()
    learner = owner.create_learner()
    disposable = owner.create_learner()
    content_job = owner.wait_job(
        owner.submit_content(learner["id"], concept="Fuzzing").json()["id"]
    )
    analytics_job = owner.wait_job(owner.submit_analytics(learner["id"]).json()["id"])
    assert content_job["status"] == analytics_job["status"] == "succeeded"
    owner.http.post(
        f"/api/learners/{learner['id']}/sessions", json={"session_start": "2026-11-01T09:00:00Z"}
    )

    def headers(client: Api) -> dict[str, str]:
        return {"Authorization": f"Bearer {client.token}", "X-Forwarded-For": FORWARDED_FOR}

    session = requests.Session()
    try:
        yield Target(
            base_url=stack.base_url,
            headers=headers(owner),
            learner_id=learner["id"],
            disposable_learner_id=disposable["id"],
            job_id=analytics_job["id"],
            content_id=content_job["result"]["content_id"],
            negative_headers=headers(negative_user),
            enqueue_headers={
                "/api/learners/{learner_id}/generate-content": headers(content_user),
                "/api/learners/{learner_id}/analytics": headers(analytics_user),
            },
            enqueue_learner={
                "/api/learners/{learner_id}/generate-content": content_user.create_learner()["id"],
                "/api/learners/{learner_id}/analytics": analytics_user.create_learner()["id"],
            },
            account_headers={op: headers(user) for op, user in account_users.items()},
            session=session,
        )
    finally:
        session.close()
        for client in (owner, content_user, analytics_user, negative_user, *account_users.values()):
            client.close()


@pytest.fixture(scope="module")
def schema(stack: Stack) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(
        f"{stack.base_url}/openapi.json", headers={"X-Forwarded-For": FORWARDED_FOR}
    )


def _path_parameters(target: Target, method: str, path: str) -> dict[str, Any] | None:
    """Real ids for the positive mode, so that requests get past the 404 into the logic."""
    if path in target.enqueue_learner:
        return {"learner_id": target.enqueue_learner[path]}
    if "{learner_id}" in path:
        learner = target.disposable_learner_id if method == "DELETE" else target.learner_id
        return {"learner_id": learner}
    if "{job_id}" in path:
        return {"job_id": target.job_id}
    if "{content_id}" in path:
        return {"content_id": target.content_id}
    return None


# --- the fuzzing run -----------------------------------------------------------------------------------
def _fuzz_params() -> Iterator[Any]:
    for method, path in OPERATIONS:
        for mode in ("positive", "negative"):
            if mode == "negative" and (method, path) in NOTHING_TO_NEGATE:
                continue
            yield pytest.param(method, path, mode, id=f"{method} {path} {mode}")


@pytest.mark.parametrize(("method", "path", "mode"), list(_fuzz_params()))
def test_the_gateway_answers_as_its_schema_says(
    schema: schemathesis.BaseSchema, target: Target, method: str, path: str, mode: str
) -> None:
    operation = schema[path][method]
    positive = mode == "positive"
    strategy = operation.as_strategy(
        GenerationMode(mode),
        path_parameters=_path_parameters(target, method, path) if positive else None,
    )
    if (method, path) in target.account_headers:
        headers = target.account_headers[(method, path)]
    elif positive:
        headers = target.enqueue_headers.get(path, target.headers)
    else:
        headers = target.negative_headers

    @settings(
        max_examples=MAX_EXAMPLES.get((method, path), DEFAULT_MAX_EXAMPLES),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(
            base_url=target.base_url,
            session=target.session,
            headers=headers,
            checks=CHECKS,
            timeout=30,
        )

    fuzz()


def test_the_fuzzed_operations_are_all_the_documented_ones(schema: schemathesis.BaseSchema) -> None:
    documented = {
        (method.upper(), path)
        for path, operations in schema.raw_schema["paths"].items()
        for method in operations
    }
    assert documented == set(OPERATIONS)


# --- replays of what the fuzzer once found (each answered 500) ----------------------------------------
FINDINGS = [
    pytest.param(
        "POST",
        "/api/learners/{learner_id}/sessions",
        {},
        {"session_start": "2026-11-01T09:00:00Z", "exercises_completed": [{"\x00": 1}]},
        id="sessions-nul-key-in-exercises_completed",
    ),
    pytest.param(
        "POST",
        "/api/learners/{learner_id}/sessions",
        {},
        {"session_start": "2026-11-01T09:00:00Z", "content_accessed": ["a\x00b"]},
        id="sessions-nul-in-content_accessed",
    ),
    pytest.param(
        "POST",
        "/api/learners/{learner_id}/sessions",
        {},
        {"session_start": "2026-11-01T09:00:00Z", "content_accessed": [876050756799401203597312]},
        id="sessions-huge-integer-in-content_accessed",
    ),
    pytest.param(
        "POST",
        "/api/learners/{learner_id}/sessions",
        {},
        {"session_start": "2026-11-01T09:00:00Z", "exercises_completed": [{"\udb31": []}]},
        id="sessions-lone-surrogate-in-exercises_completed",
    ),
    pytest.param(
        "POST",
        "/api/learners/{learner_id}/sessions",
        {},
        {"session_start": "0001-01-01T00:00:00+00:01"},
        id="sessions-session_start-before-year-1-in-utc",
    ),
    pytest.param(
        "GET",
        "/api/learners/{learner_id}/sessions",
        {"until": "9999-12-31T23:59:59-00:01"},
        None,
        id="sessions-until-after-year-9999-in-utc",
    ),
    pytest.param(
        "POST",
        "/api/learners/{learner_id}/responses",
        {},
        {
            "responses": [
                {"concept": "x", "correct": True, "answered_at": "0001-01-01T00:00:00+01:00"}
            ]
        },
        id="responses-answered_at-before-year-1-in-utc",
    ),
    pytest.param(
        "POST",
        "/api/learners/{learner_id}/analytics",
        {},
        {"as_of": "9999-12-31T23:59:59-14:00"},
        id="analytics-as_of-after-year-9999-in-utc",
    ),
    pytest.param(
        "POST",
        "/api/auth/token",
        {},
        {"username": "\x00", "password": "0"},
        id="token-nul-username",
    ),
]


@pytest.mark.parametrize(("method", "path", "query", "body"), FINDINGS)
def test_schemathesis_findings(
    schema: schemathesis.BaseSchema,
    target: Target,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
) -> None:
    """The minimal failing requests of the fuzzing run, replayed with the same checks."""
    operation = schema[path][method]
    case = operation.Case(
        path_parameters={"learner_id": target.learner_id} if "{learner_id}" in path else None,
        query=query or None,
        **({"body": body, "media_type": "application/json"} if body is not None else {}),
    )
    case.call_and_validate(
        base_url=target.base_url, session=target.session, headers=target.headers, checks=CHECKS
    )


@pytest.mark.parametrize(
    ("session_end", "status"),
    [
        ("9999-12-31T23:59:59.999999Z", 422),  # was stored, and echoed back as a naive +infinity
        ("2199-12-31T23:59:59.999999Z", 201),  # the latest supported moment
    ],
)
def test_an_edge_of_range_timestamp_is_refused_or_echoed_with_a_timezone(
    schema: schemathesis.BaseSchema, target: Target, session_end: str, status: int
) -> None:
    """Timestamps outside 1900-01-01 .. 2200-01-01 UTC are a 422 (the database would hold the far
    ends as +/-infinity, which asyncpg reads back as naive datetimes); inside, they are echoed
    in UTC, and either answer matches the document."""
    case = schema["/api/learners/{learner_id}/sessions"]["POST"].Case(
        path_parameters={"learner_id": target.learner_id},
        body={"session_start": "2026-11-01T09:00:00Z", "session_end": session_end},
        media_type="application/json",
    )
    response = case.call(base_url=target.base_url, session=target.session, headers=target.headers)
    assert response.status_code == status, response.text
    if status == 201:
        emitted = response.json()["session_end"]
        assert emitted.endswith(("Z", "+00:00")), f"emitted without UTC: {emitted}"
        assert datetime.fromisoformat(emitted) == datetime.fromisoformat(session_end)
    case.validate_response(response, checks=[checks.status_code_conformance, *CHECKS])


# --- what the document says versus what the gateway answers ---------------------------------------------
def _answers(method: str, path: str, status: int, **case: Any) -> Any:
    return pytest.param(method, path, status, case, id=f"{status} {method} {path}")


_MISSING_LEARNER = {"path_parameters": {"learner_id": 2**62}}
STATUS_CASES = [
    _answers("GET", "/api/learners/{learner_id}", 404, **_MISSING_LEARNER),
    _answers(
        "PATCH", "/api/learners/{learner_id}", 404, body={"learning_goals": "x"}, **_MISSING_LEARNER
    ),
    _answers("DELETE", "/api/learners/{learner_id}", 404, **_MISSING_LEARNER),
    _answers("GET", "/api/learners/{learner_id}/sessions", 404, **_MISSING_LEARNER),
    _answers(
        "POST",
        "/api/learners/{learner_id}/sessions",
        404,
        body={"session_start": "2026-11-01T09:00:00Z"},
        **_MISSING_LEARNER,
    ),
    _answers(
        "POST",
        "/api/learners/{learner_id}/responses",
        404,
        body={"responses": [{"concept": "x", "correct": True}]},
        **_MISSING_LEARNER,
    ),
    _answers("GET", "/api/learners/{learner_id}/content", 404, **_MISSING_LEARNER),
    _answers("GET", "/api/learners/{learner_id}/analytics", 404, **_MISSING_LEARNER),
    _answers("GET", "/api/jobs/{job_id}", 404, path_parameters={"job_id": str(uuid.UUID(int=7))}),
    _answers(
        "DELETE", "/api/jobs/{job_id}", 404, path_parameters={"job_id": str(uuid.UUID(int=7))}
    ),
    _answers(
        "GET",
        "/api/content/{content_id}",
        404,
        path_parameters={"content_id": str(uuid.UUID(int=7))},
    ),
    _answers("PATCH", "/api/learners/{learner_id}", 409, body="duplicate niche"),
    _answers("POST", "/api/auth/token", 415, raw=(b"username=x", "text/plain")),
    _answers("POST", "/api/learners", 400, raw=(b'{"target_niche": "\xff"}', "application/json")),
    _answers("GET", "/api/learners/{learner_id}", 200),
    _answers("POST", "/api/learners/{learner_id}/analytics", 404, body={}, **_MISSING_LEARNER),
]


@pytest.mark.parametrize(("method", "path", "status", "spec"), STATUS_CASES)
def test_every_status_the_gateway_answers_is_documented(
    schema: schemathesis.BaseSchema,
    target: Target,
    method: str,
    path: str,
    status: int,
    spec: dict[str, Any],
) -> None:
    operation = schema[path][method]
    spec = dict(spec)
    path_parameters = spec.pop("path_parameters", None)
    if path_parameters is None and "{learner_id}" in path:
        path_parameters = {"learner_id": target.learner_id}
    if spec.get("body") == "duplicate niche":
        owner = requests.Session()
        owner.headers.update(target.headers)
        niche = f"dup_{uuid.uuid4().hex[:8]}"
        created = owner.post(
            f"{target.base_url}/api/learners",
            json={
                "target_niche": niche,
                "experience_level": "beginner",
                "preferred_learning_style": "visual",
            },
        )
        assert created.status_code == 201, created.text
        spec["body"] = {"target_niche": niche}
        owner.close()
    raw = spec.pop("raw", None)
    if raw is not None:
        response = target.session.request(
            method,
            target.base_url + operation.path,
            data=raw[0],
            headers={**target.headers, "Content-Type": raw[1]},
        )
        case = operation.Case(path_parameters=path_parameters)
    else:
        if "body" in spec:
            spec["media_type"] = "application/json"
        case = operation.Case(path_parameters=path_parameters, **spec)
        response = case.call(
            base_url=target.base_url, session=target.session, headers=target.headers
        )
    assert response.status_code == status, response.text
    case.validate_response(response, checks=[checks.status_code_conformance, *CHECKS])


def test_the_health_503_is_documented_as_the_health_object(schema: schemathesis.BaseSchema) -> None:
    """GET /api/health answers 503 with the health object ({status, checks, version},
    application/json; see tests/fault), not a Problem, and the document says so."""
    responses = schema.raw_schema["paths"]["/api/health"]["get"]["responses"]
    assert responses["503"]["content"] == responses["200"]["content"], responses


# --- schemathesis's own runner: every check, every phase ----------------------------------------------
ALL_CHECKS = "all"
ALL_PHASES = "examples,coverage,fuzzing,stateful"
CLI_MAX_EXAMPLES = 5
ROOT = Path(__file__).resolve().parents[2]


def _schemathesis_run(
    base_url: str, token: str, workdir: Path, *, operation_ids: list[str], exclude: bool
) -> subprocess.CompletedProcess[str]:
    """`st run` over the live document with every check and phase, as a user of its own."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "schemathesis.toml"
    config.write_text(
        'hooks = "tests.integration.schemathesis_hooks"\n'
        "[generation]\n"
        "deterministic = true\n"
        'database = "none"\n'
    )
    selection = []
    for operation_id in operation_ids:
        selection += [
            "--exclude-operation-id" if exclude else "--include-operation-id",
            operation_id,
        ]
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        ALL_CHECKS,
        "--phases",
        ALL_PHASES,
        "--max-examples",
        str(CLI_MAX_EXAMPLES),
        "--seed",
        "14",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--continue-on-failure",
        # Strings that must fit a pattern and a date-time format at once are slow to draw; the
        # draws still happen, only Hypothesis's "too many filtered" alarm is off.
        "--suppress-health-check",
        "filter_too_much",
        "-H",
        f"Authorization: Bearer {token}",
        "-H",
        f"X-Forwarded-For: {FORWARDED_FOR}",
        *selection,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=900, check=False
    )


ACCOUNT_OPERATION_IDS = [
    "auth-logout",
    "auth-logout-all",
    "users-delete-me",
    "users-change-password",
]
ADMIN_OPERATION_IDS = ["admin-stats", "admin-learner-model"]


def _make_admin(stack: Stack, username: str) -> None:
    env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url}
    subprocess.run(
        [sys.executable, "-m", "ailp.cli", "make-admin", username],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )


@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    "run",
    ["everything-else", "admin", *ACCOUNT_OPERATION_IDS],
)
def test_schemathesis_with_every_check_and_phase_passes(
    stack: Stack, tmp_path: Path, run: str
) -> None:
    """schemathesis's own runner with all of its checks (server errors, status codes, content
    types, headers, response schemas, positive data accepted, negative data rejected, 405 with
    Allow, auth not ignored, use after free, resource availability, ...) over all phases.
    Operations that end the caller's session run alone, each as a user of its own; the admin
    operations run as an administrator (as anyone else they only answer 403)."""
    user = _user(stack.base_url)
    try:
        user.create_learner()
        assert user.token is not None and user.username is not None
        if run == "everything-else":
            selected, exclude = ACCOUNT_OPERATION_IDS + ADMIN_OPERATION_IDS, True
        elif run == "admin":
            _make_admin(stack, user.username)
            selected, exclude = ADMIN_OPERATION_IDS, False
        else:
            selected, exclude = [run], False
        result = _schemathesis_run(
            stack.base_url, user.token, tmp_path, operation_ids=selected, exclude=exclude
        )
    finally:
        user.close()
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
