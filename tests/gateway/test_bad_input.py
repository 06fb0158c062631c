"""Bad input never gets a 5xx: a table-driven sweep over every endpoint that takes a body, path
parameters, query parameters or an Idempotency-Key, through the gateway served in-process.

Each case sends one malformed request and asserts a 4xx RFC 9457 problem (`status` equal to the
HTTP status, a non-empty `title` and `detail`, `application/problem+json`; a validation error's
`errors` items carry `loc` and `msg`) and, where the request would have stored something, that
nothing was stored (the learner, session or job list is unchanged; an aggregated check for
registrations, which no endpoint lists; exercise responses are checked through the analytics,
which need a worker: tests/integration/test_bad_input_stored.py).

Among the malformed values are the ones that once reached the database or the JSON encoder and
answered 500, or were silently coerced: timestamps outside 1900-01-01 .. 2200-01-01 UTC (also
after converting the offset to UTC, also inside a cursor), numbers given as timestamps, booleans
given as numbers, and free-form JSON (content_accessed, exercises_completed) with NUL characters,
lone surrogates, integers beyond 64 bits or nesting deeper than 16 levels.

A malformed value the gateway is found to accept gets pinned in `STILL_ACCEPTED`
(`xfail(strict=True)` with the reason) until it is fixed.
"""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.api import Api, assert_problem
from tests.support.gateway_app import GatewayApp

HUGE = 10**20
MISSING = object()  # "send no body at all"


STILL_ACCEPTED: dict[str, str] = {}  # malformed values the gateway accepts: none today


def still_accepted(case_id: str) -> list[Any]:
    reason = STILL_ACCEPTED.get(case_id)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


# --- helpers --------------------------------------------------------------------------------------
def raw_json(value: Any) -> bytes:
    """JSON with non-ASCII escaped, so that NULs and lone surrogates go out as \\u escapes."""
    return json.dumps(value, ensure_ascii=True).encode()


def nested_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def cursor(at: str, item_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([at, item_id]).encode()).decode().rstrip("=")


def send(
    client: httpx.Client,
    method: str,
    path: str,
    body: Any = MISSING,
    *,
    content: bytes | None = None,
    content_type: str | None = "application/json",
    headers: dict[str, Any] | None = None,
) -> httpx.Response:
    """One request on a fresh connection (a 5xx closes the server side of a keep-alive)."""
    all_headers: dict[str, Any] = {"Connection": "close", **(headers or {})}
    if content is None and body is not MISSING:
        content = raw_json(body)
    if content is not None and content_type is not None:
        all_headers["Content-Type"] = content_type
    return client.request(method, path, content=content, headers=all_headers)


@dataclass
class World:
    """One signed-in owner with one learner, shared by the module (the cases only read)."""

    api: Api
    learner_id: int
    counter: Iterator[int] = field(default_factory=itertools.count)

    def address(self) -> str:
        """A client address of its own for each sign-in attempt (no failed-login spill-over)."""
        n = next(self.counter)
        return f"10.252.{n // 250 % 250}.{n % 250 + 1}"


@pytest.fixture(scope="module")
def world(stack: GatewayApp) -> Iterator[World]:
    api = stack.api().new_user()
    yield World(api=api, learner_id=api.create_learner()["id"])
    api.close()


# --- what counts as "stored" -------------------------------------------------------------------
def _learner_ids(world: World) -> Any:
    return [item["id"] for item in world.api.http.get("/api/learners").json()]


def _learner(world: World) -> Any:
    return world.api.http.get(f"/api/learners/{world.learner_id}").json()


def _sessions(world: World) -> Any:
    page = world.api.http.get(f"/api/learners/{world.learner_id}/sessions", params={"limit": 100})
    return [item["id"] for item in page.json()["items"]]


def _jobs(world: World) -> Any:
    page = world.api.http.get("/api/jobs", params={"learner_id": world.learner_id, "limit": 100})
    return [item["id"] for item in page.json()["items"]]


# --- the endpoints with a body ------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # may contain {learner_id}
    valid: Callable[[], dict[str, Any]]
    fields: dict[str, str]  # field -> value category (see INVALID)
    snapshot: Callable[[World], Any] | None = None
    valid_bodies: frozenset[str] = frozenset()  # whole-body variants that are valid here


def _registration() -> dict[str, Any]:
    name = f"bad_{uuid.uuid4().hex[:12]}"
    return {"username": name, "email": f"{name}@example.com", "password": "correct-horse-42"}


ENDPOINTS = [
    Endpoint(
        "register",
        "POST",
        "/api/auth/register",
        _registration,
        {"username": "username", "email": "email", "password": "password"},
    ),
    Endpoint(
        "token",
        "POST",
        "/api/auth/token",
        lambda: {"username": f"nobody_{uuid.uuid4().hex[:8]}", "password": "whatever-123"},
        {"username": "login", "password": "login"},
    ),
    Endpoint(
        "create-learner",
        "POST",
        "/api/learners",
        lambda: {
            "target_niche": f"n_{uuid.uuid4().hex[:8]}",
            "experience_level": "beginner",
            "preferred_learning_style": "visual",
            "learning_goals": "A job.",
        },
        {
            "target_niche": "label",
            "experience_level": "enum",
            "preferred_learning_style": "enum",
            "learning_goals": "text",
        },
        snapshot=_learner_ids,
    ),
    Endpoint(
        "patch-learner",
        "PATCH",
        "/api/learners/{learner_id}",
        lambda: {"experience_level": "advanced"},
        {
            "target_niche": "label",
            "experience_level": "enum",
            "preferred_learning_style": "enum",
            "learning_goals": "text",
        },
        snapshot=_learner,
        valid_bodies=frozenset({"empty_object"}),
    ),
    Endpoint(
        "create-session",
        "POST",
        "/api/learners/{learner_id}/sessions",
        lambda: {
            "session_start": "2026-11-01T09:00:00Z",
            "session_end": "2026-11-01T09:30:00Z",
            "duration_minutes": 30,
            "content_accessed": ["intro"],
            "exercises_completed": [{"concept": "rejected-session", "correct": False}],
            "completion_rate": 0.5,
            "performance_score": 0.5,
        },
        {
            "session_start": "time",
            "session_end": "optional_time",
            "duration_minutes": "optional_minutes",
            "content_accessed": "json_list",
            "exercises_completed": "exercise_list",
            "completion_rate": "unit",
            "performance_score": "unit",
        },
        snapshot=_sessions,
    ),
    Endpoint(
        "create-responses",
        "POST",
        "/api/learners/{learner_id}/responses",
        lambda: {"responses": [{"concept": "rejected-response", "correct": False}]},
        {"responses": "response_list"},
    ),
    Endpoint(
        "generate-content",
        "POST",
        "/api/learners/{learner_id}/generate-content",
        lambda: {"concept": "SQL joins", "content_type": "lesson", "fresh": False},
        {"concept": "label", "content_type": "enum", "fresh": "bool"},
        snapshot=_jobs,
    ),
    Endpoint(
        "analytics",
        "POST",
        "/api/learners/{learner_id}/analytics",
        lambda: {"days": 30, "as_of": "2026-11-01T12:00:00Z"},
        {"days": "days", "as_of": "optional_time"},
        snapshot=_jobs,
        valid_bodies=frozenset({"missing", "empty", "null", "empty_object"}),
    ),
]
ENDPOINT = {endpoint.name: endpoint for endpoint in ENDPOINTS}

# Per item of `responses` (and of `exercises_completed` where they are answers).
RESPONSE_ITEM_FIELDS = {
    "concept": "label",
    "correct": "bool",
    "answered_at": "optional_time",
    "content_id": "optional_uuid",
    "session_id": "optional_id",
}

# --- malformed values, by what the field holds -------------------------------------------------
VALUES: dict[str, Any] = {
    "null": None,
    "true": True,
    "huge": HUGE,
    "negative": -1,
    "fraction": 1.5,
    "empty_string": "",
    "nul": "a\x00b",
    "control": "a\x07b",
    "newline": "a\nb",
    "zero_width": "a\u200bb",
    "long_string": "x" * 10_000,
    "object": {"a": 1},
    "empty_object": {},
    "array": ["a"],
    "empty_array": [],
    "wrong_case": "BEGINNER",
    "not_email": "not-an-email",
    "naive_time": "2026-11-01T09:00:00",
    "date_only": "2026-11-01",
    "garbage_time": "yesterday",
    "impossible_date": "2026-02-30T00:00:00Z",
    "bad_offset": "2026-11-01T09:00:00+25:00",
    "underflow_time": "0001-01-01T00:00:00+01:00",
    "overflow_time": "9999-12-31T23:59:59-01:00",
    "before_1900": "1899-12-31T23:59:59.999999Z",
    "before_1900_in_utc": "1900-01-01T00:30:00+01:00",
    "from_2200": "2200-01-01T00:00:00Z",
    "from_2200_in_utc": "2199-12-31T23:30:00-01:00",
    "unix_time": 1_793_523_600,
    "unix_time_string": "1793523600",
    "zero": 0,
    "too_many_days": 366,
    "too_many_minutes": 100_001,
    "string_true": "true",
    "one": 1,
    "not_uuid": "not-a-uuid",
    "unknown_id": 2**63 - 1,
}
_STRINGY = ["null", "true", "huge", "negative", "fraction", "object", "empty_object", "array"]
_STRINGY += ["empty_array"]
_TIMES = ["true", "huge", "negative", "fraction", "empty_string", "nul", "control", "long_string"]
_TIMES += ["object", "array", "naive_time", "date_only", "garbage_time", "impossible_date"]
_TIMES += ["bad_offset", "underflow_time", "overflow_time", "before_1900", "before_1900_in_utc"]
_TIMES += ["from_2200", "from_2200_in_utc", "unix_time", "unix_time_string"]
_NUMBERS = ["true", "huge", "negative", "fraction", "empty_string", "nul", "object", "array"]
_NUMBERS += ["empty_array"]
INVALID: dict[str, list[str]] = {
    "username": [*_STRINGY, "empty_string", "nul", "control", "newline", "long_string"],
    "email": [*_STRINGY, "empty_string", "nul", "control", "long_string", "not_email"],
    "password": [*_STRINGY, "empty_string", "nul", "control", "long_string"],
    # For sign-in only the types and lengths are checked; a well-formed wrong login is a 401.
    "login": [*_STRINGY, "empty_string", "nul", "control", "long_string"],
    "label": [*_STRINGY, "empty_string", "nul", "control", "newline", "zero_width", "long_string"],
    "text": [s for s in _STRINGY if s != "null"] + ["nul", "control", "zero_width", "long_string"],
    "enum": [*_STRINGY, "empty_string", "nul", "long_string", "wrong_case"],
    "time": ["null", *_TIMES],
    "optional_time": _TIMES,
    "days": ["null", *_NUMBERS, "zero", "too_many_days"],
    "optional_minutes": [*_NUMBERS, "too_many_minutes"],
    "unit": _NUMBERS,
    "bool": ["null", "huge", "zero", "one", "string_true", "empty_string", "object", "array"],
    "optional_uuid": ["true", "huge", "empty_string", "nul", "not_uuid", "object", "array"],
    "optional_id": ["zero", "negative", "huge", "fraction", "nul", "object", "array", "unknown_id"],
    # Lists; their item-level cases are in LIST_CASES.
    "json_list": ["null", "true", "huge", "empty_string", "object", "empty_object"],
    "exercise_list": ["null", "true", "huge", "empty_string", "object", "empty_object"],
    "response_list": [
        "null",
        "true",
        "huge",
        "empty_string",
        "object",
        "empty_object",
        "empty_array",
    ],
}

# Item-level malformed lists: category -> {case id: value}.
LIST_CASES: dict[str, dict[str, Any]] = {
    "json_list": {
        "too_many_items": ["x"] * 1001,
        "nul_string_item": ["a\x00b"],
        "nul_key": [{"k\x00": 1}],
        "huge_int_item": [HUGE],
        "huge_negative_int_item": [-HUGE],
        "int_just_over_64_bits": [2**63],
        "int_just_under_64_bits": [-(2**63) - 1],
        "lone_surrogate_item": ["\ud800"],
        "nested_18_deep": nested_list(18),
        "nested_300_deep": [nested_list(300)],
    },
    "exercise_list": {
        "too_many_items": [{"a": 1}] * 1001,
        "string_item": ["not an object"],
        "number_item": [1],
        "list_item": [[]],
        "null_item": [None],
        "answer_with_empty_concept": [{"concept": "", "correct": True}],
        "answer_with_long_concept": [{"concept": "c" * 201, "correct": True}],
        "answer_with_control_concept": [{"concept": "a\x07b", "correct": True}],
        "answer_with_naive_time": [
            {"concept": "c", "correct": True, "answered_at": "2026-11-01T09:00:00"}
        ],
        "answer_with_garbage_time": [{"concept": "c", "correct": True, "answered_at": "soon"}],
        "answer_with_underflow_time": [
            {"concept": "c", "correct": True, "answered_at": "0001-01-01T00:00:00+01:00"}
        ],
        "answer_with_time_before_1900": [
            {"concept": "c", "correct": True, "answered_at": "1899-12-31T23:59:59Z"}
        ],
        "answer_with_numeric_time": [{"concept": "c", "correct": True, "answered_at": 0}],
        "answer_with_unix_time_string": [
            {"concept": "c", "correct": True, "answered_at": "1793523600"}
        ],
        "nul_key": [{"k\x00": 1}],
        "nul_value": [{"note": "a\x00b"}],
        "huge_int_value": [{"n": HUGE}],
        "lone_surrogate_key": [{"\udc00": 1}],
        "deeply_nested_value": [{"n": nested_list(17)}],
    },
    "response_list": {
        "too_many_items": [{"concept": "x", "correct": True}] * 1001,
        "string_item": ["x"],
        "null_item": [None],
        "empty_item": [{}],
        "list_item": [[{"concept": "x", "correct": True}]],
    },
}


def _field_cases() -> Iterator[Any]:
    for endpoint in ENDPOINTS:
        for name, category in endpoint.fields.items():
            for value_id in INVALID[category]:
                yield pytest.param(
                    endpoint.name,
                    name,
                    VALUES[value_id],
                    id=f"{endpoint.name}-{name}-{value_id}",
                    marks=still_accepted(value_id),
                )
            for case_id, value in LIST_CASES.get(category, {}).items():
                yield pytest.param(
                    endpoint.name,
                    name,
                    value,
                    id=f"{endpoint.name}-{name}-{case_id}",
                    marks=still_accepted(case_id),
                )
    # The fields of one exercise response, as an item of `responses`.
    for name, category in RESPONSE_ITEM_FIELDS.items():
        for value_id in INVALID[category]:
            yield pytest.param(
                "create-responses",
                f"responses.{name}",
                VALUES[value_id],
                id=f"create-responses-responses.{name}-{value_id}",
                marks=still_accepted(value_id),
            )


def _path(endpoint: Endpoint, world: World) -> str:
    return endpoint.path.format(learner_id=world.learner_id)


def _headers(endpoint: Endpoint, world: World) -> dict[str, str]:
    if endpoint.name == "token":
        return {"X-Forwarded-For": world.address()}
    return {}


def _with_field(body: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    if name.startswith("responses."):
        item = dict(body["responses"][0])
        item[name.split(".", 1)[1]] = value
        return {**body, "responses": [item]}
    return {**body, name: value}


def _check_rejected(endpoint: Endpoint, world: World, **request: Any) -> dict[str, Any]:
    before = endpoint.snapshot(world) if endpoint.snapshot else None
    response = send(
        world.api.http,
        endpoint.method,
        _path(endpoint, world),
        headers={**_headers(endpoint, world), **request.pop("headers", {})},
        **request,
    )
    problem = assert_problem(response)
    assert "access_token" not in problem and "id" not in problem
    if endpoint.snapshot:
        assert endpoint.snapshot(world) == before, f"a rejected {endpoint.name} stored something"
    return problem


# --- 1. one malformed field at a time ----------------------------------------------------------
@pytest.mark.parametrize(("endpoint_name", "field_name", "value"), list(_field_cases()))
def test_a_malformed_field_is_a_4xx_problem_and_stores_nothing(
    world: World, endpoint_name: str, field_name: str, value: Any
) -> None:
    endpoint = ENDPOINT[endpoint_name]
    body = _with_field(endpoint.valid(), field_name, value)
    _check_rejected(endpoint, world, body=body)


# --- 2. unknown fields -------------------------------------------------------------------------
@pytest.mark.parametrize("endpoint_name", [e.name for e in ENDPOINTS])
def test_an_unknown_field_is_422(world: World, endpoint_name: str) -> None:
    endpoint = ENDPOINT[endpoint_name]
    problem = _check_rejected(endpoint, world, body={**endpoint.valid(), "surprise": 1})
    assert problem["status"] == 422
    assert any(error["loc"][-1] == "surprise" for error in problem["errors"]), problem


def test_an_unknown_field_inside_a_response_item_is_422(world: World) -> None:
    endpoint = ENDPOINT["create-responses"]
    body = {"responses": [{"concept": "x", "correct": True, "surprise": 1}]}
    assert _check_rejected(endpoint, world, body=body)["status"] == 422


# --- 3. bodies that are not a JSON object ------------------------------------------------------
BODIES: dict[str, dict[str, Any]] = {
    "missing": {"content": None, "content_type": None},
    "empty": {"content": b""},
    "not_json": {"content": b"{not json"},
    "truncated": {"content": b'{"a": '},
    "trailing_garbage": {"content": b"{} x"},
    "null": {"content": b"null"},
    "string": {"content": b'"text"'},
    "number": {"content": b"12"},
    "huge_number": {"content": b"1" + b"0" * 400},
    "boolean": {"content": b"true"},
    "empty_object": {"content": b"{}"},
    "array_of_the_valid_body": {"content": None},  # filled in per endpoint
    "nested_arrays_100000_deep": {"content": b"[" * 100_000 + b"]" * 100_000},
    "unclosed_nesting": {"content": b"[" * 50_000},
    "nested_objects_20000_deep": {"content": b'{"a":' * 20_000 + b"1" + b"}" * 20_000},
    "invalid_utf8_bytes": {"content": b'{"username": "\xff\xfe\xfd"}'},
    "only_invalid_utf8": {"content": b"\xff\xfe\x00\x01"},
    "utf16_encoded": {"content": '{"a": 1}'.encode("utf-16")},
    "nan_literal": {"content": b'{"a": NaN}'},
}
CONTENT_TYPES = {
    "text_plain": "text/plain",
    "form_urlencoded": "application/x-www-form-urlencoded",
    "xml": "application/xml",
    "octet_stream": "application/octet-stream",
    "multipart_without_boundary": "multipart/form-data",
}


@pytest.mark.parametrize("variant", list(BODIES))
@pytest.mark.parametrize("endpoint_name", [e.name for e in ENDPOINTS])
def test_a_body_that_is_not_a_json_object_is_a_4xx_problem(
    world: World, endpoint_name: str, variant: str
) -> None:
    endpoint = ENDPOINT[endpoint_name]
    if variant in endpoint.valid_bodies:
        pytest.skip(f"{variant} is a valid body for {endpoint_name}")
    request = dict(BODIES[variant])
    if variant == "array_of_the_valid_body":
        request["content"] = raw_json([endpoint.valid()])
    if request["content"] is None:
        request.pop("content")
    _check_rejected(endpoint, world, **request)


@pytest.mark.parametrize("content_type", list(CONTENT_TYPES))
@pytest.mark.parametrize("endpoint_name", [e.name for e in ENDPOINTS])
def test_a_valid_json_body_with_the_wrong_content_type_is_a_4xx_problem(
    world: World, endpoint_name: str, content_type: str
) -> None:
    endpoint = ENDPOINT[endpoint_name]
    _check_rejected(
        endpoint,
        world,
        content=raw_json(endpoint.valid()),
        content_type=CONTENT_TYPES[content_type],
    )


# The token endpoint's form flavour.
@pytest.mark.parametrize(
    "form",
    [
        b"",
        b"username=&password=",
        b"username=someone",
        b"password=something",
        b"username=" + b"u" * 121 + b"&password=p",
        b"username=u&password=" + b"p" * 1025,
        b"username=%ff%fe&password=%ff",
        b"%zz=%zz",
        b"username=a&username=b&password=c",
    ],
    ids=[
        "empty",
        "empty_fields",
        "no_password",
        "no_username",
        "long_username",
        "long_password",
        "invalid_utf8",
        "broken_escapes",
        "repeated",
    ],
)
def test_a_malformed_sign_in_form_is_a_4xx_problem(world: World, form: bytes) -> None:
    response = send(
        world.api.http,
        "POST",
        "/api/auth/token",
        content=form,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Forwarded-For": world.address()},
    )
    assert "access_token" not in assert_problem(response)


def test_a_nul_in_a_sign_in_form_username_is_a_4xx_problem(world: World) -> None:
    response = send(
        world.api.http,
        "POST",
        "/api/auth/token",
        content=b"username=a%00b&password=whatever-123",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Forwarded-For": world.address()},
    )
    assert_problem(response)


def test_a_multipart_sign_in_with_a_file_for_a_password_is_a_4xx_problem(world: World) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nsomeone\r\n'
        b'--b\r\nContent-Disposition: form-data; name="password"; filename="p.txt"\r\n\r\n'
        b"secret\r\n--b--\r\n"
    )
    for content in (body, b"garbage"):
        response = send(
            world.api.http,
            "POST",
            "/api/auth/token",
            content=content,
            content_type="multipart/form-data; boundary=b",
            headers={"X-Forwarded-For": world.address()},
        )
        assert_problem(response)


# --- 4. path parameters ------------------------------------------------------------------------
LEARNER_PATHS = [
    ("GET", "/api/learners/{id}"),
    ("PATCH", "/api/learners/{id}"),
    ("DELETE", "/api/learners/{id}"),
    ("GET", "/api/learners/{id}/sessions"),
    ("POST", "/api/learners/{id}/sessions"),
    ("POST", "/api/learners/{id}/responses"),
    ("POST", "/api/learners/{id}/generate-content"),
    ("GET", "/api/learners/{id}/content"),
    ("POST", "/api/learners/{id}/analytics"),
    ("GET", "/api/learners/{id}/analytics"),
]
UUID_PATHS = [("GET", "/api/jobs/{id}"), ("DELETE", "/api/jobs/{id}"), ("GET", "/api/content/{id}")]
BAD_INT_IDS = {
    "zero": "0",
    "negative": "-1",
    "huge": str(HUGE),
    "just_over_bigint": str(2**63),
    "max_bigint_unknown": str(2**63 - 1),
    "fraction": "1.5",
    "exponent": "1e3",
    "hex": "0x1f",
    "word": "abc",
    "nul": "%00",
    "control": "%07",
    "space": "%20",
    "unicode": "%C3%A9",
    "invalid_utf8": "%FF",
    "very_long": "9" * 5000,
}
BAD_UUIDS = {
    "word": "not-a-uuid",
    "integer": "1",
    "huge": str(HUGE),
    "bad_hex": "00000000-0000-0000-0000-00000000000g",
    "too_long": str(uuid.UUID(int=1)) + "0",
    "nul": "%00",
    "invalid_utf8": "%FF",
    "unknown": str(uuid.UUID(int=12345)),
    "very_long": "a" * 5000,
}
PATH_BODIES = {
    "/api/learners/{id}": {"experience_level": "advanced"},
    "/api/learners/{id}/sessions": {"session_start": "2026-11-01T09:00:00Z"},
    "/api/learners/{id}/responses": {"responses": [{"concept": "x", "correct": True}]},
    "/api/learners/{id}/generate-content": {"concept": "x", "content_type": "lesson"},
    "/api/learners/{id}/analytics": {"days": 7},
}


@pytest.mark.parametrize("bad", list(BAD_INT_IDS))
@pytest.mark.parametrize(
    ("method", "template"), LEARNER_PATHS, ids=[" ".join(p) for p in LEARNER_PATHS]
)
def test_a_malformed_learner_id_is_a_4xx_problem(
    world: World, method: str, template: str, bad: str
) -> None:
    body = PATH_BODIES.get(template, MISSING) if method in ("POST", "PATCH") else MISSING
    before = (_learner_ids(world), _jobs(world))
    response = send(world.api.http, method, template.format(id=BAD_INT_IDS[bad]), body)
    assert_problem(response)
    assert (_learner_ids(world), _jobs(world)) == before


@pytest.mark.parametrize("bad", list(BAD_UUIDS))
@pytest.mark.parametrize(("method", "template"), UUID_PATHS, ids=[" ".join(p) for p in UUID_PATHS])
def test_a_malformed_job_or_content_id_is_a_4xx_problem(
    world: World, method: str, template: str, bad: str
) -> None:
    assert_problem(send(world.api.http, method, template.format(id=BAD_UUIDS[bad])))


# --- 5. query parameters -----------------------------------------------------------------------
_LIMITS = {"zero": "0", "negative": "-1", "over_100": "101", "huge": str(HUGE), "word": "ten"}
_LIMITS |= {"fraction": "1.5", "empty": "", "nul": "\x00"}
_CURSORS = {
    "garbage": "not a cursor!",
    "nul": "\x00",
    "too_long": "A" * 201,
    "base64_of_garbage": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "base64_of_an_empty_list": base64.urlsafe_b64encode(b"[]").decode(),
    "base64_of_an_object": base64.urlsafe_b64encode(b'{"a": 1, "b": 2}').decode(),
    "naive_time": cursor("2026-11-01T09:00:00", "1"),
    "huge_id": cursor("2026-11-01T09:00:00Z", str(HUGE)),
}
# Well-formed cursors (the list's own kind of id) whose time is outside 1900-01-01 .. 2200-01-01
# UTC, as such or once its offset is applied.
_CURSOR_TIMES = {
    "time_underflow": "0001-01-01T00:00:00+01:00",
    "time_overflow": "9999-12-31T23:59:59-01:00",
    "time_before_1900": "1899-12-31T23:59:59.999999Z",
    "time_from_2200": "2199-12-31T23:30:00-01:00",
}
_TIMES_IN_QUERY = {
    "naive": "2026-11-01T09:00:00",
    "garbage": "yesterday",
    "empty": "",
    "nul": "\x00",
    "bad_offset": "2026-11-01T09:00:00+25:00",
    "year_five_digits": "99999-01-01T00:00:00Z",
    "unix_time_string": "1793523600",
    "underflow": "0001-01-01T00:00:00+01:00",
    "overflow": "9999-12-31T23:59:59-01:00",
    "before_1900": "1899-12-31T23:59:59.999999Z",
    "from_2200": "2200-01-01T00:00:00Z",
}


def _query_cases() -> Iterator[Any]:
    lists = {
        "sessions": "/api/learners/{learner_id}/sessions",
        "jobs": "/api/jobs",
        "content": "/api/learners/{learner_id}/content",
    }
    for name, path in lists.items():
        for key, value in _LIMITS.items():
            yield pytest.param(path, {"limit": value}, id=f"{name}-limit-{key}")
        # Session ids are integers, job and content ids UUIDs.
        good_id = "1" if name == "sessions" else str(uuid.UUID(int=1))
        bad_id = "not-an-id" if name == "sessions" else "12"
        cursors = {**_CURSORS, "bad_id": cursor("2026-11-01T09:00:00Z", bad_id)}
        cursors |= {key: cursor(at, good_id) for key, at in _CURSOR_TIMES.items()}
        for key, value in cursors.items():
            yield pytest.param(path, {"cursor": value}, id=f"{name}-cursor-{key}")
    for param in ("since", "until"):
        for key, value in _TIMES_IN_QUERY.items():
            yield pytest.param(
                lists["sessions"],
                {param: value},
                id=f"sessions-{param}-{key}",
                marks=still_accepted(key),
            )
    for key, value in {"zero": "0", "negative": "-1", "huge": str(HUGE), "word": "abc"}.items():
        yield pytest.param("/api/jobs", {"learner_id": value}, id=f"jobs-learner_id-{key}")
    for param in ("status", "kind"):
        for key, value in {"unknown": "exploded", "upper_case": "QUEUED", "empty": ""}.items():
            yield pytest.param("/api/jobs", {param: value}, id=f"jobs-{param}-{key}")
    for key, value in {"unknown": "poem", "upper_case": "LESSON", "nul": "\x00"}.items():
        yield pytest.param(lists["content"], {"content_type": value}, id=f"content-type-{key}")
    # The admin dashboard's window (a non-admin caller may well get its 403 first: still a 4xx).
    for key, value in {**_LIMITS, "over_365": "366"}.items():
        yield pytest.param("/api/admin/stats", {"days": value}, id=f"admin-days-{key}")


@pytest.mark.parametrize(("path", "params"), list(_query_cases()))
def test_a_malformed_query_parameter_is_a_4xx_problem(
    world: World, path: str, params: dict[str, str]
) -> None:
    response = world.api.http.get(
        path.format(learner_id=world.learner_id), params=params, headers={"Connection": "close"}
    )
    problem = assert_problem(response)
    [(name, _)] = params.items()
    if name in ("cursor", "since", "until"):  # a validation error that names its parameter
        assert problem["status"] == 422, problem
        assert ["query", name] in [error["loc"] for error in problem["errors"]], problem


# --- 6. the Idempotency-Key header -------------------------------------------------------------
BAD_KEYS: dict[str, bytes] = {
    "empty": b"",
    "too_long": b"k" * 256,
    "tab": b"tab\there",
    "latin1": b"caf\xe9",
    "utf8": "cl\u00e9".encode(),
    "high_bytes": b"\xff\xfe",
}


@pytest.mark.parametrize("key", list(BAD_KEYS))
@pytest.mark.parametrize("endpoint_name", ["generate-content", "analytics"])
def test_a_malformed_idempotency_key_is_422_and_enqueues_nothing(
    world: World, endpoint_name: str, key: str
) -> None:
    endpoint = ENDPOINT[endpoint_name]
    problem = _check_rejected(
        endpoint, world, body=endpoint.valid(), headers={"Idempotency-Key": BAD_KEYS[key]}
    )
    assert problem["status"] == 422 and "Idempotency-Key" in problem["detail"]


# --- 7. nothing stored where no endpoint lists what would have been stored ----------------------
def test_rejected_registrations_created_no_account(world: World) -> None:
    """Send every malformed registration for one username and email, then register them."""
    good = _registration()
    endpoint = ENDPOINT["register"]
    for name, category in endpoint.fields.items():
        for value_id in INVALID[category]:
            response = send(world.api.http, "POST", endpoint.path, {**good, name: VALUES[value_id]})
            assert_problem(response)
    for variant in ("surprise", "role"):
        response = send(world.api.http, "POST", endpoint.path, {**good, variant: "admin"})
        assert_problem(response)
    created = world.api.http.post(endpoint.path, json=good)
    assert created.status_code == 201, created.text  # neither the name nor the email was taken


# --- 8. timestamps the analytics window could not hold ------------------------------------------
def test_an_as_of_whose_window_starts_before_year_one_is_rejected(world: World) -> None:
    """Once accepted (202), the job then failed computing as_of - days; now a 422 up front."""
    before = _jobs(world)
    response = send(
        world.api.http,
        "POST",
        f"/api/learners/{world.learner_id}/analytics",
        {"days": 30, "as_of": "0001-01-01T00:00:00Z"},
    )
    assert assert_problem(response)["status"] == 422
    assert _jobs(world) == before
