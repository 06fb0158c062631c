"""Tests for the scriptable OpenAI-compatible model server (tests/support/model_server/).

The server runs as a real subprocess and is driven through the official `openai` client.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import math
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import openai
import pytest
from pydantic import BaseModel, ConfigDict

from tests.support.model_server import (
    ModelServerProcess,
    SchemaSynthesizer,
    concept_from_text,
    peak_requests_in_window,
    peak_tokens_in_window,
)
from tests.support.processes import wait_until

try:  # jsonschema is optional: validate with it when installed, by hand otherwise.
    jsonschema: Any = importlib.import_module("jsonschema")
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema = None

CONCEPT = "SQL joins"
USER_MESSAGE = "Write a short lesson for this learner profile:\n" + json.dumps(
    {"learner_id": 7, "concept": CONCEPT, "level": "beginner"}
)
MESSAGES: list[Any] = [
    {"role": "system", "content": "You are a patient tutor. Answer in JSON."},
    {"role": "user", "content": USER_MESSAGE},
]

EXERCISE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "prompt", "choices", "answer", "explanation"],
    "properties": {
        "id": {"type": "string"},
        "prompt": {"type": "string"},
        "choices": {"type": ["array", "null"], "items": {"type": "string"}},
        "answer": {"type": "string"},
        "explanation": {"type": "string"},
    },
}
LESSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "content", "examples", "exercises"],
    "properties": {
        "title": {"type": "string"},
        "content": {"type": "string"},
        "examples": {"type": "array", "items": {"type": "string"}},
        "exercises": {"type": "array", "items": EXERCISE_SCHEMA},
    },
}
RESPONSE_FORMAT: Any = {
    "type": "json_schema",
    "json_schema": {"name": "lesson", "schema": LESSON_SCHEMA, "strict": True},
}


# --------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServerProcess]:
    with ModelServerProcess() as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(server: ModelServerProcess) -> None:
    server.control.reset()


@pytest.fixture
def client(server: ModelServerProcess) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key="test", base_url=server.base_url, max_retries=0, timeout=5) as c:
        yield c


def ask(client: openai.OpenAI, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": MESSAGES,
        "response_format": RESPONSE_FORMAT,
    }
    params.update(overrides)
    return client.chat.completions.create(**params)


def _is_type(value: Any, kind: str) -> bool:
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    return checks[kind](value)


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        node: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def schema_errors(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None
) -> list[str]:
    """Errors of `value` against `schema`: jsonschema when installed, else a hand-written subset."""
    if jsonschema is not None:  # pragma: no cover - depends on the environment
        return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(value)]
    return _subset_errors(value, schema, root or schema, "$")


def _subset_errors(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> list[str]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        options = [_subset_errors(value, option, root, path) for option in schema["anyOf"]]
        return [] if any(not errors for errors in options) else [f"{path}: matches no anyOf branch"]
    errors: list[str] = []
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != const {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in enum")
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is_type(value, kind) for kind in kinds):
            return [*errors, f"{path}: {value!r} is not of type {kinds}"]
    if isinstance(value, dict):
        errors += _object_errors(value, schema, root, path)
    elif isinstance(value, list):
        errors += _array_errors(value, schema, root, path)
    elif isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than minLength")
        if len(value) > schema.get("maxLength", math.inf):
            errors.append(f"{path}: longer than maxLength")
    elif _is_type(value, "number") and not (
        schema.get("minimum", -math.inf) <= value <= schema.get("maximum", math.inf)
    ):
        errors.append(f"{path}: {value} out of range")
    return errors


def _object_errors(
    value: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> list[str]:
    properties = schema.get("properties", {})
    errors = [f"{path}: missing {key}" for key in schema.get("required", []) if key not in value]
    if schema.get("additionalProperties") is False:
        errors += [f"{path}: extra {key}" for key in value if key not in properties]
    for key, sub in properties.items():
        if key in value:
            errors += _subset_errors(value[key], sub, root, f"{path}.{key}")
    return errors


def _array_errors(
    value: list[Any], schema: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> list[str]:
    errors: list[str] = []
    if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", math.inf):
        errors.append(f"{path}: {len(value)} items violates minItems/maxItems")
    for i, item in enumerate(value):
        errors += _subset_errors(item, schema.get("items", {}), root, f"{path}[{i}]")
    return errors


# --------------------------------------------------------------------------------------------
# Structured output
# --------------------------------------------------------------------------------------------


def test_structured_output_validates_and_is_about_the_concept(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=MESSAGES, response_format=RESPONSE_FORMAT, max_tokens=1800
    )
    completion = raw.parse()
    message = completion.choices[0].message
    document = json.loads(message.content or "")

    assert schema_errors(document, LESSON_SCHEMA) == []
    assert completion.model == "gpt-4o-mini"
    assert completion.choices[0].finish_reason == "stop"
    assert message.refusal is None
    assert document["title"] == f"Understanding {CONCEPT}"
    assert "## " in document["content"] and CONCEPT in document["content"]
    assert len(document["content"].split("\n\n")) >= 4
    assert len(document["examples"]) == 3
    exercises = document["exercises"]
    assert [e["id"] for e in exercises] == ["q1", "q2", "q3"]
    for exercise in exercises:
        assert len(set(exercise["choices"])) == len(exercise["choices"]) >= 2
        assert exercise["answer"] in exercise["choices"]
        assert CONCEPT in exercise["prompt"]

    prompt_chars = sum(len(m["content"]) for m in MESSAGES)
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == math.ceil(prompt_chars / 4)
    assert completion.usage.completion_tokens == math.ceil(len(message.content or "") / 4)
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    for header in (
        "x-request-id",
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-tokens",
    ):
        assert raw.headers.get(header), header


class Exercise(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    prompt: str
    choices: list[str] | None
    answer: str
    explanation: str
    concept: str


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    content: str
    examples: list[str]
    exercises: list[Exercise]


def test_parse_with_pydantic_model_uses_defs_and_any_of(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model="gpt-4o-mini", messages=MESSAGES, response_format=Lesson
    )
    lesson = completion.choices[0].message.parsed
    assert isinstance(lesson, Lesson)
    assert all(e.choices and e.answer in e.choices for e in lesson.exercises)
    assert {e.concept for e in lesson.exercises} == {CONCEPT}


def test_synthesizer_covers_refs_const_enum_and_bounds() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "level", "score", "ratio", "done", "nothing", "tags", "items", "note"],
        "properties": {
            "kind": {"const": "lesson"},
            "level": {"type": "string", "enum": ["beginner", "advanced"]},
            "score": {"type": "integer", "minimum": 10, "maximum": 12},
            "ratio": {"type": "number", "minimum": 0, "maximum": 0.25},
            "done": {"type": "boolean"},
            "nothing": {"type": "null"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 2},
            "items": {"type": "array", "minItems": 5, "items": {"$ref": "#/definitions/Item"}},
            "note": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/Note"}]},
        },
        "$defs": {
            "Note": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text"],
                "properties": {"text": {"type": "string", "minLength": 2000}},
            }
        },
        "definitions": {
            "Item": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "question", "options", "answer"],
                "properties": {
                    "id": {"type": "string"},
                    "question": {"type": "string"},
                    "options": {"type": "array", "items": {"type": "string"}},
                    "answer": {"type": "string"},
                },
            }
        },
    }
    for variant in ("normal", "wrong_answer", "empty_fields"):
        document = SchemaSynthesizer("recursion", schema, variant).generate()  # type: ignore[arg-type]
        assert schema_errors(document, schema) == [], variant
        assert len(document["items"]) == 5
        expected_ids = [""] * 5 if variant == "empty_fields" else ["q1", "q2", "q3", "q4", "q5"]
        assert [i["id"] for i in document["items"]] == expected_ids
    normal = SchemaSynthesizer("recursion", schema).generate()
    assert normal["note"] is not None and len(normal["note"]["text"]) >= 2000
    assert normal["score"] == 10 and normal["kind"] == "lesson"


def test_concept_extraction_falls_back_to_regex() -> None:
    assert (
        concept_from_text('profile: {"concept": "Big-O notation", "x": 1} end') == "Big-O notation"
    )
    assert concept_from_text('nested {"learner": {"concept": "recursion"}}') == "recursion"
    assert concept_from_text('broken {"concept": "graphs", "x": ') == "graphs"
    assert concept_from_text("no json here") is None


def test_plain_text_without_response_format(client: openai.OpenAI) -> None:
    completion = ask(client, response_format=openai.omit)
    content = completion.choices[0].message.content or ""
    assert content.startswith(f"# Understanding {CONCEPT}")
    assert "## " in content


def test_max_tokens_cuts_the_answer(client: openai.OpenAI) -> None:
    completion = ask(client, max_tokens=20)
    assert completion.choices[0].finish_reason == "length"
    assert len(completion.choices[0].message.content or "") <= 80


# --------------------------------------------------------------------------------------------
# Scripted failures
# --------------------------------------------------------------------------------------------


def test_429_raises_rate_limit_error_with_retry_headers(
    server: ModelServerProcess, client: openai.OpenAI
) -> None:
    server.control.script({"mode": "429", "retry_after": 7, "retry_after_ms": 250})
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client)
    headers = caught.value.response.headers
    assert headers["retry-after"] == "7"
    assert headers["retry-after-ms"] == "250"
    assert headers["x-ratelimit-reset-requests"] == "7s"
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.request_id == headers["x-request-id"]


def test_quota_429_code_override(server: ModelServerProcess, client: openai.OpenAI) -> None:
    server.control.script(
        {"mode": "429", "code": "insufficient_quota", "type": "insufficient_quota"}
    )
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client)
    assert caught.value.code == "insufficient_quota"


def test_client_retry_prefers_retry_after_ms(server: ModelServerProcess) -> None:
    server.control.script({"mode": "429", "retry_after": 30, "retry_after_ms": 200})
    started = time.monotonic()
    with openai.OpenAI(api_key="t", base_url=server.base_url, max_retries=1, timeout=5) as c:
        ask(c)
    assert 0.15 < time.monotonic() - started < 5
    assert [r["status"] for r in server.control.requests()] == [429, 200]


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("500", openai.InternalServerError),
        ("502", openai.InternalServerError),
        ("503", openai.InternalServerError),
        ("400", openai.BadRequestError),
        ("401", openai.AuthenticationError),
    ],
)
def test_error_modes_map_to_client_exceptions(
    server: ModelServerProcess, client: openai.OpenAI, mode: str, error: type[Exception]
) -> None:
    server.control.script({"mode": mode})
    with pytest.raises(error) as caught:
        ask(client)
    assert caught.value.status_code == int(mode)  # type: ignore[attr-defined]
    assert isinstance(caught.value.body, dict) and caught.value.body["message"]  # type: ignore[attr-defined]


def test_invalid_json_truncated_and_refusal(
    server: ModelServerProcess, client: openai.OpenAI
) -> None:
    server.control.script({"mode": "invalid_json"}, {"mode": "truncated"}, {"mode": "refusal"})

    invalid = ask(client).choices[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(invalid.message.content or "")

    truncated = ask(client).choices[0]
    assert truncated.finish_reason == "length"
    assert truncated.message.content and truncated.message.content.startswith('{"title"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.message.content)

    refused = ask(client).choices[0]
    assert refused.message.content is None
    assert refused.message.refusal == "I can't help with that."


def test_wrong_answer_and_empty_fields_stay_schema_valid(
    server: ModelServerProcess, client: openai.OpenAI
) -> None:
    server.control.script({"mode": "wrong_answer"}, {"mode": "empty_fields"})

    wrong = json.loads(ask(client).choices[0].message.content or "")
    assert schema_errors(wrong, LESSON_SCHEMA) == []
    assert wrong["exercises"] and all(e["answer"] not in e["choices"] for e in wrong["exercises"])

    empty = json.loads(ask(client).choices[0].message.content or "")
    assert schema_errors(empty, LESSON_SCHEMA) == []
    assert empty["title"] == "" and empty["content"] == ""
    assert empty["examples"] == [] and empty["exercises"] == []


def test_hang_times_out_the_client(server: ModelServerProcess) -> None:
    server.control.script({"mode": "hang"})
    started = time.monotonic()
    with (
        openai.OpenAI(api_key="t", base_url=server.base_url, max_retries=0, timeout=1) as c,
        pytest.raises(openai.APITimeoutError),
    ):
        ask(c)
    assert time.monotonic() - started < 4.5
    entry = wait_until(
        lambda: [r for r in server.control.requests() if r["finished_at"]],
        timeout=5,
        interval=0.02,
        message="the hung call's log entry",
    )[0]
    assert entry["mode"] == "hang" and entry["status"] == 499 and entry["client_disconnected"]


def test_missing_auth_is_401_and_does_not_consume_script(server: ModelServerProcess) -> None:
    server.control.script({"mode": "500"})
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{server.base_url}/chat/completions", json=body)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert server.control.requests()[0]["authorization_present"] is False
    assert (
        httpx.post(
            f"{server.base_url}/chat/completions", json=body, headers={"Authorization": "Bearer x"}
        ).status_code
        == 500
    )


def test_control_rejects_unknown_modes(server: ModelServerProcess) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        server.control.script({"mode": "explode"})
    with pytest.raises(ValueError, match="count"):
        server.control.script({"mode": "500", "count": 0})


# --------------------------------------------------------------------------------------------
# Scripting order, rules, defaults
# --------------------------------------------------------------------------------------------


def _statuses(client: openai.OpenAI, n: int, **overrides: Any) -> list[int]:
    statuses = []
    for _ in range(n):
        try:
            ask(client, **overrides)
            statuses.append(200)
        except openai.APIStatusError as exc:
            statuses.append(exc.status_code)
    return statuses


def test_script_steps_are_consumed_in_order(
    server: ModelServerProcess, client: openai.OpenAI
) -> None:
    assert server.control.script({"mode": "429", "count": 2}, {"mode": "500"}, {"mode": "ok"}) == 4
    assert _statuses(client, 5) == [429, 429, 500, 200, 200]
    assert [r["mode"] for r in server.control.requests()] == ["429", "429", "500", "ok", "ok"]


def test_rules_apply_before_the_script(server: ModelServerProcess, client: openai.OpenAI) -> None:
    server.control.add_rule("Poison", mode="503")
    server.control.script({"mode": "429"})
    poisoned = [{"role": "user", "content": '{"concept": "POISON ivy"}'}]
    assert _statuses(client, 2, messages=poisoned) == [503, 503]
    assert _statuses(client, 2) == [429, 200]


def test_echo_repeats_a_prompt_value_next_to_the_concept(
    server: ModelServerProcess, client: openai.OpenAI
) -> None:
    messages = [
        {"role": "user", "content": json.dumps({"concept": CONCEPT, "goals": "pass the exam"})}
    ]
    server.control.set_default(mode="ok", echo="goals")
    document = json.loads(ask(client, messages=messages).choices[0].message.content or "")
    assert document["title"] == f"Understanding {CONCEPT} (for: pass the exam)"
    without = json.loads(ask(client).choices[0].message.content or "")  # no such key: no echo
    assert without["title"] == f"Understanding {CONCEPT}"
    with pytest.raises(ValueError, match="echo"):
        server.control.set_default(mode="ok", echo="")


def test_default_behaviour_and_reset(server: ModelServerProcess, client: openai.OpenAI) -> None:
    server.control.set_default(mode="slow", delay=0.3)
    started = time.monotonic()
    ask(client)
    assert time.monotonic() - started >= 0.3
    server.control.reset()
    assert server.control.requests() == []
    assert server.control.state()["default"] == {"mode": "ok"}
    ask(client)
    assert [r["mode"] for r in server.control.requests()] == ["ok"]


# --------------------------------------------------------------------------------------------
# Request log, peaks and concurrency
# --------------------------------------------------------------------------------------------


def test_request_log_records_each_call(server: ModelServerProcess, client: openai.OpenAI) -> None:
    ask(client, max_tokens=1000)
    middle = time.time()
    ask(client, max_completion_tokens=900, model="gpt-4o")
    log = server.control.requests()
    assert [r["model"] for r in log] == ["gpt-4o-mini", "gpt-4o"]
    assert [r["max_tokens"] for r in log] == [1000, 900]
    first = log[0]
    assert first["status"] == 200 and first["mode"] == "ok" and first["authorization_present"]
    assert first["at"] <= first["finished_at"] and first["messages"] == MESSAGES
    assert first["completion_tokens"] > 0 and first["prompt_tokens"] > 0
    assert [r["model"] for r in server.control.requests(since=middle)] == ["gpt-4o"]


def test_brief_request_log_names_the_concept_without_messages(
    server: ModelServerProcess, client: openai.OpenAI
) -> None:
    ask(client)
    (brief,) = server.control.requests(brief=True)
    assert "messages" not in brief
    assert brief["concept"] == CONCEPT and brief["message_count"] == 2
    assert server.control.requests()[0]["messages"] == MESSAGES


def test_delay_range_draws_each_delay_within_it(
    server: ModelServerProcess, client: openai.OpenAI
) -> None:
    with pytest.raises(ValueError, match="delay_max"):
        server.control.set_default(mode="ok", delay=0.3, delay_max=0.1)
    server.control.set_default(mode="ok", delay=0.05, delay_max=0.25)
    for _ in range(6):
        ask(client)
    waits = [r["finished_at"] - r["at"] for r in server.control.requests(brief=True)]
    assert all(0.05 <= wait < 0.25 + 0.2 for wait in waits), waits
    assert max(waits) - min(waits) > 0.01  # drawn per request, not one fixed delay


def test_peak_helpers() -> None:
    requests = [
        {"at": 0.0, "prompt_tokens": 10, "completion_tokens": 5},
        {"at": 30.0, "prompt_tokens": 10, "completion_tokens": 0},
        {"at": 59.9, "prompt_tokens": 1, "completion_tokens": 1},
        {"at": 60.0, "prompt_tokens": 100, "completion_tokens": 100},
        {"at": 200.0, "prompt_tokens": 1, "completion_tokens": 0},
    ]
    assert peak_requests_in_window(requests) == 3
    assert peak_tokens_in_window(requests, 60.0) == 212
    assert peak_requests_in_window(requests, 1.0) == 2
    assert peak_requests_in_window([]) == 0 and peak_tokens_in_window([], 60.0) == 0


def test_many_concurrent_slow_requests(server: ModelServerProcess) -> None:
    server.control.set_default(mode="ok", delay=0.5)
    count = 50  # few enough for two busy cores to send them all within the 2 s checked below

    async def burst() -> list[Any]:
        async with openai.AsyncOpenAI(
            api_key="t", base_url=server.base_url, max_retries=0, timeout=10
        ) as c:
            calls = [
                c.chat.completions.create(
                    model="m",
                    messages=MESSAGES,
                    response_format=RESPONSE_FORMAT,  # type: ignore[arg-type]
                )
                for _ in range(count)
            ]
            return await asyncio.gather(*calls)

    started = time.monotonic()
    results = asyncio.run(burst())
    assert len(results) == count
    assert time.monotonic() - started < 10  # sequentially this would take 25 s
    log = server.control.requests()
    assert peak_requests_in_window(log, 2.0) == count
    assert peak_tokens_in_window(log, 60.0) == sum(
        r["prompt_tokens"] + r["completion_tokens"] for r in log
    )
