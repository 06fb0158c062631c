"""A scriptable, OpenAI-compatible model server for tests and benchmarks.

This is a *test double*, but a real one: a single-process Starlette + uvicorn HTTP server
that speaks the OpenAI Chat Completions wire format on ``POST /v1/chat/completions``.
Tests point the official ``openai`` client (``base_url=...``) at it, so the whole client
stack (HTTP, retries, timeouts, error mapping, ``chat.completions.parse``) is exercised
for real. It is never used by the product.

Run it standalone::

    uv run python -m tests.support.model_server --host 127.0.0.1 --port 0 --port-file /tmp/x.port

or from Python with :class:`ModelServerProcess` (a context manager that starts it as a
subprocess) and script it with :class:`ModelServerControl`:

* ``POST /_control/script``   ``{"steps": [{"mode": "429", "count": 3}, {"mode": "500"}]}``
  appends steps to a FIFO queue; every chat request consumes one unit from its head.
* ``POST /_control/default``  ``{"mode": "ok", "delay": 0.3}``: behaviour when the queue is empty.
* ``POST /_control/rules``    ``{"match": "poison", "mode": "hang"}``: persistent rule applied
  (before the queue) to requests whose messages contain ``match`` (case-insensitive).
* ``POST /_control/reset``, ``GET /_control/requests[?since=<unix>]``, ``GET /_control/health``,
  ``GET /_control/state``.

Modes: ``ok``, ``slow``, ``hang``, ``429``, ``400``, ``401``, ``500``, ``502``, ``503``,
``invalid_json``, ``wrong_answer``, ``empty_fields``, ``truncated``, ``refusal``. Every mode
accepts ``delay`` (seconds before answering) and ``delay_max`` (then the delay is drawn uniformly
from ``[delay, delay_max]`` per request, like a real model's latency); error modes accept
``message``/``code``/``type`` overrides; any mode accepts ``headers`` (extra response headers,
e.g. ``x-should-retry``). ``echo`` (a JSON key, e.g. ``"goals"``) makes a successful answer
repeat that key's value from the prompt's JSON next to the concept, so a test can see what text
a piece was written from.

The request log (``/_control/requests``) names each request's ``concept`` and ``message_count``;
``?brief=1`` leaves the (large) ``messages`` out.

For ``response_format={"type": "json_schema", ...}`` the server synthesises a document that
validates against the schema, with readable text about the learner's concept (taken from a
``{"concept": ...}`` JSON object in the last user message). When ``max_tokens`` /
``max_completion_tokens`` is smaller than the answer (~4 characters per token) the content is cut
and ``finish_reason`` is ``"length"``, like a real model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REPO_ROOT = Path(__file__).resolve().parents[2]

SUCCESS_MODES = frozenset(
    {
        "ok",
        "slow",
        "hang",
        "invalid_json",
        "wrong_answer",
        "empty_fields",
        "truncated",
        "refusal",
    }
)
ERROR_MODES = frozenset({"400", "401", "429", "500", "502", "503"})
MODES = SUCCESS_MODES | ERROR_MODES
DEFAULT_DELAYS: dict[str, float] = {"slow": 2.0, "hang": 3600.0}
DEFAULT_CONCEPT = "the topic"
REFUSAL_TEXT = "I can't help with that."
INVALID_JSON_TEXT = '{"title": "Broken'
CLIENT_CLOSED_STATUS = 499
RATE_WINDOW_SECONDS = 60.0
MAX_SCHEMA_DEPTH = 12

# (type, code, message) per scripted error status; OpenAI puts these under {"error": {...}}.
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request (scripted by the test model server)."),
    401: (
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided. You can find your API key in your account settings.",
    ),
    429: (
        "rate_limit_exceeded",
        "rate_limit_exceeded",
        "Rate limit reached for requests. Please try again in {retry_after}s.",
    ),
    500: ("server_error", None, "The server had an error while processing your request."),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}

Variant = Literal["normal", "wrong_answer", "empty_fields"]


# --------------------------------------------------------------------------------------------
# Behaviours and server state
# --------------------------------------------------------------------------------------------


def normalize_behaviour(raw: Mapping[str, Any], *, allow_count: bool = False) -> dict[str, Any]:
    """Validate a behaviour dict (``{"mode": ..., options}``) and return a normalised copy."""
    if not isinstance(raw, Mapping):
        raise ValueError("a behaviour must be a JSON object")
    behaviour = dict(raw)
    mode = str(behaviour.get("mode", "ok"))
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {sorted(MODES)}")
    behaviour["mode"] = mode
    if "delay" in behaviour:
        delay = float(behaviour["delay"])
        if delay < 0 or not math.isfinite(delay):
            raise ValueError("delay must be a finite number >= 0")
        behaviour["delay"] = delay
    if "delay_max" in behaviour:
        delay_max = float(behaviour["delay_max"])
        if not math.isfinite(delay_max) or delay_max < float(behaviour.get("delay", 0.0)):
            raise ValueError("delay_max must be a finite number >= delay")
        behaviour["delay_max"] = delay_max
    if "count" in behaviour:
        if not allow_count:
            raise ValueError("count is only meaningful for script steps")
        count = behaviour["count"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be an integer >= 1")
    headers = behaviour.get("headers", {})
    if not isinstance(headers, Mapping):
        raise ValueError("headers must be an object of strings")
    if "echo" in behaviour and (not isinstance(behaviour["echo"], str) or not behaviour["echo"]):
        raise ValueError("echo must be the non-empty name of a JSON key in the prompt")
    return behaviour


@dataclass
class ScriptStep:
    behaviour: dict[str, Any]
    remaining: int


@dataclass
class Rule:
    match: str
    behaviour: dict[str, Any]


@dataclass
class ServerState:
    """All mutable server state. Only touched from the event loop thread."""

    rpm_limit: int = 10_000
    tpm_limit: int = 2_000_000
    script: deque[ScriptStep] = field(default_factory=deque)
    rules: list[Rule] = field(default_factory=list)
    default: dict[str, Any] = field(default_factory=lambda: {"mode": "ok"})
    log: list[dict[str, Any]] = field(default_factory=list)
    recent: deque[dict[str, Any]] = field(default_factory=deque)

    def reset(self) -> None:
        self.script.clear()
        self.rules.clear()
        self.default = {"mode": "ok"}
        self.log = []
        self.recent.clear()

    def enqueue(self, steps: Iterable[dict[str, Any]]) -> None:
        for step in steps:
            behaviour = {k: v for k, v in step.items() if k != "count"}
            self.script.append(ScriptStep(behaviour, int(step.get("count", 1))))

    def queued_units(self) -> int:
        return sum(step.remaining for step in self.script)

    def next_behaviour(self, haystack: str) -> dict[str, Any]:
        """Pick the behaviour for one request: matching rule, else script head, else default."""
        for rule in self.rules:
            if rule.match in haystack:
                return rule.behaviour
        if self.script:
            step = self.script[0]
            step.remaining -= 1
            if step.remaining <= 0:
                self.script.popleft()
            return step.behaviour
        return self.default

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        self.log.append(entry)
        self.recent.append(entry)
        return entry

    def rate_limit_headers(self, now: float) -> dict[str, str]:
        """Plausible x-ratelimit-* headers computed over the last minute of traffic."""
        while self.recent and now - self.recent[0]["at"] >= RATE_WINDOW_SECONDS:
            self.recent.popleft()
        used_tokens = sum(e["prompt_tokens"] + e["completion_tokens"] for e in self.recent)
        return {
            "x-ratelimit-limit-requests": str(self.rpm_limit),
            "x-ratelimit-remaining-requests": str(max(0, self.rpm_limit - len(self.recent))),
            "x-ratelimit-limit-tokens": str(self.tpm_limit),
            "x-ratelimit-remaining-tokens": str(max(0, self.tpm_limit - used_tokens)),
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-reset-tokens": "1ms",
        }

    def snapshot(self) -> dict[str, Any]:
        return {
            "default": self.default,
            "rules": [{"match": r.match, **r.behaviour} for r in self.rules],
            "script": [{**s.behaviour, "count": s.remaining} for s in self.script],
            "requests": len(self.log),
        }


# --------------------------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------------------------


@dataclass
class ChatRequest:
    model: str
    messages: list[Any]
    max_tokens: int | None
    response_format: dict[str, Any] | None
    stream: bool = False


def content_text(content: Any) -> str:
    """Text of a message ``content`` (a string or a list of ``{"type": "text"}`` parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, Mapping)]
        return "".join(p for p in parts if isinstance(p, str))
    return ""


def messages_text(messages: Sequence[Any]) -> str:
    return "".join(content_text(m.get("content")) for m in messages if isinstance(m, Mapping))


def estimate_tokens(text_length: int) -> int:
    return max(1, math.ceil(text_length / 4))


def parse_chat_request(payload: Any) -> ChatRequest | str:
    """Parse a chat completion request body; return an error message if it is unusable."""
    if not isinstance(payload, Mapping):
        return "The request body must be a JSON object."
    model = payload.get("model")
    messages = payload.get("messages")
    if not isinstance(model, str) or not model:
        return "you must provide a model parameter"
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    max_tokens = payload.get("max_completion_tokens", payload.get("max_tokens"))
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        return "max_tokens must be a positive integer"
    response_format = payload.get("response_format")
    if response_format is not None and not isinstance(response_format, Mapping):
        return "response_format must be an object"
    return ChatRequest(
        model=model,
        messages=messages,
        max_tokens=max_tokens,
        response_format=dict(response_format) if response_format else None,
        stream=bool(payload.get("stream")),
    )


def bearer_token(header: str | None) -> str:
    if not header:
        return ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# --------------------------------------------------------------------------------------------
# Concept extraction
# --------------------------------------------------------------------------------------------

_CONCEPT_RE = re.compile(r'"concept"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _find_concept(value: Any, key: str = "concept") -> str | None:
    if isinstance(value, Mapping):
        concept = value.get(key)
        if isinstance(concept, str) and concept.strip():
            return concept
        if isinstance(concept, list) and concept and all(isinstance(i, str) for i in concept):
            return ", ".join(concept)
        children: Iterable[Any] = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _find_concept(child, key)
        if found:
            return found
    return None


def _value_from_text(text: str, key: str) -> str | None:
    """The value of ``key`` in the first JSON object embedded in ``text`` that has one."""
    decoder = json.JSONDecoder()
    position = text.find("{")
    while position != -1:
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError:
            position = text.find("{", position + 1)
            continue
        found = _find_concept(value, key)
        if found:
            return found
        position = text.find("{", end)
    return None


def concept_from_text(text: str) -> str | None:
    """The ``concept`` of the first JSON object embedded in ``text`` that has one."""
    found = _value_from_text(text, "concept")
    if found:
        return found
    match = _CONCEPT_RE.search(text)
    if match:
        try:
            return str(json.loads(f'"{match.group(1)}"'))
        except ValueError:
            return match.group(1)
    return None


def extract_concept(messages: Sequence[Any]) -> str:
    """The learner's concept: from the last user message first, then any other message."""
    dicts = [m for m in messages if isinstance(m, Mapping)]
    users = [m for m in dicts if m.get("role") == "user"]
    ordered = users[-1:] + list(reversed(dicts))
    for message in ordered:
        found = concept_from_text(content_text(message.get("content")))
        if found:
            return " ".join(found.split())[:120]
    return DEFAULT_CONCEPT


def extract_value(messages: Sequence[Any], key: str) -> str | None:
    """The value of ``key`` in the JSON of the last user message (lists joined by commas)."""
    users = [m for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]
    if not users:
        return None
    found = _value_from_text(content_text(users[-1].get("content")), key)
    return " ".join(found.split())[:300] if found else None


# --------------------------------------------------------------------------------------------
# Text generation
# --------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def capitalized(text: str) -> str:
    """``text`` with its first letter upper-cased (for concepts that start a sentence)."""
    return text[:1].upper() + text[1:]


def markdown_body(concept: str, index: int = 0) -> str:
    part = f" (part {index + 1})" if index else ""
    return (
        f"## What is {concept}?{part}\n\n"
        f"{capitalized(concept)} is an idea you will meet again and again. At its core it gives you a "
        f"precise way to describe a problem and a repeatable method for solving it.\n\n"
        f"## Why {concept} matters\n\n"
        f"Understanding {concept} helps you reason about real situations instead of "
        f"memorising rules, and it connects new material to what you already know.\n\n"
        f"## A worked example\n\n"
        f"Start with a small, concrete case. Apply {concept} step by step, check each "
        f"intermediate result, and compare the outcome with what you expected.\n\n"
        f"## Key takeaways\n\n"
        f"- {capitalized(concept)} is easiest to learn through small, concrete examples.\n"
        f"- Explain {concept} in your own words to check your understanding.\n"
        f"- Practise with exercises that slowly increase in difficulty."
    )


_QUESTIONS = (
    "Which statement best describes {c}?",
    "When would you apply {c} in practice?",
    "What is a common mistake when working with {c}?",
    "How does {c} connect to what you already know?",
)
_CORRECT_CHOICE = "{C} gives a precise, repeatable way to reason about the problem"
_DISTRACTORS = (
    "{C} only matters in rare edge cases",
    "{C} is just another name for memorising rules",
    "{C} has no practical use outside exams",
    "{C} removes the need to check your work",
)
_LEVELS = ("beginner", "intermediate", "advanced")


def _numbered(text: str, index: int) -> str:
    return text if index == 0 else f"{text} ({index + 1})"


def _matches(key: str, words: Iterable[str]) -> bool:
    return any(key == w or key.endswith(w) for w in words)


def field_text(name: str, concept: str, index: int = 0) -> str:
    """Readable text for a string field, chosen from the field's name."""
    key, c = _key(name), concept
    if key == "id" or name.lower().endswith("_id") or name.endswith("Id"):
        return f"q{index + 1}"
    if _matches(key, ("concept", "topic", "skill", "subject")):
        return c
    if _matches(key, ("title", "heading", "headline", "name")):
        return _numbered(f"Understanding {c}", index)
    if _matches(key, ("prompt", "question", "stem", "task", "instruction", "instructions")):
        suffix = "" if index < len(_QUESTIONS) else f" ({index + 1})"
        return _QUESTIONS[index % len(_QUESTIONS)].format(c=c) + suffix
    if _matches(key, ("explanation", "rationale", "feedback", "reasoning", "solution")):
        return (
            f"This is correct because {c} gives a precise, repeatable way to reason about "
            f"the problem; the other options describe common misconceptions about {c}."
        )
    if _matches(key, ("answer",)):
        return _CORRECT_CHOICE.format(C=capitalized(c))
    if _matches(key, ("examples", "example")):
        return (
            f"Example {index + 1}: applying {c} to a small, concrete case and checking the result."
        )
    if _matches(key, ("choices", "options", "distractors")):
        return _numbered(f"Option about {c}", index)
    if _matches(key, ("summary", "description", "overview", "abstract", "intro", "introduction")):
        return f"A short, practical introduction to {c} with examples and exercises."
    if _matches(key, ("hint", "hints", "tip", "tips")):
        return _numbered(f"Think about what {c} is trying to achieve before you answer.", index)
    if _matches(key, ("keypoints", "takeaways", "objectives", "goals", "points")):
        return _numbered(f"Explain the main idea of {c} in your own words.", index)
    if _matches(key, ("difficulty", "level")):
        return _LEVELS[index % len(_LEVELS)]
    if _matches(key, ("language", "lang", "locale")):
        return "en"
    if _matches(key, ("code", "snippet")):
        return f"# {c}: example {index + 1}\nresult = apply(step_by_step=True)"
    if key == "text" or _matches(key, ("content", "body", "markdown", "lesson", "article")):
        return markdown_body(c, index)
    words = " ".join(re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").split())
    label = words[:1].upper() + words[1:] if words else "Details"
    return _numbered(f"{label} about {c}", index)


def choice_texts(concept: str, count: int, correct_at: int) -> list[str]:
    """``count`` distinct multiple-choice options with the correct one at ``correct_at``."""
    distractors = [d.format(C=capitalized(concept)) for d in _DISTRACTORS]
    texts: list[str] = []
    for position in range(count):
        if position == correct_at:
            texts.append(_CORRECT_CHOICE.format(C=capitalized(concept)))
        elif distractors:
            texts.append(distractors.pop(0))
        else:
            texts.append(
                f"{capitalized(concept)} is unrelated to the question (option {position + 1})"
            )
    return texts


_FORMATS: dict[str, Any] = {
    "date-time": lambda i: f"2026-01-{i % 28 + 1:02d}T12:00:00Z",
    "date": lambda i: f"2026-01-{i % 28 + 1:02d}",
    "time": lambda i: f"12:{i % 60:02d}:00",
    "uuid": lambda i: str(uuid.UUID(int=i + 1)),
    "email": lambda i: f"learner{i + 1}@example.com",
    "uri": lambda i: f"https://example.com/resource/{i + 1}",
    "url": lambda i: f"https://example.com/resource/{i + 1}",
}


def fit_length(text: str, schema: Mapping[str, Any], filler: str = "x") -> str:
    """Pad/cut ``text`` to satisfy ``minLength``/``maxLength``."""
    low = int(schema.get("minLength", 0))
    high = schema.get("maxLength")
    if len(text) < low:
        text += (" " + filler * low)[: low - len(text)]
    if high is not None and len(text) > int(high):
        cut = text[: int(high)]
        text = cut.rstrip() if len(cut.rstrip()) >= low else cut
    return text


def _distinct(values: list[str], schema: Mapping[str, Any]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for position, value in enumerate(values):
        candidate = value
        if candidate in seen:
            candidate = fit_length(f"{position + 1}", schema, filler=str(position % 10))
        seen.add(candidate)
        result.append(candidate)
    return result


# --------------------------------------------------------------------------------------------
# JSON Schema synthesis
# --------------------------------------------------------------------------------------------


@dataclass
class SchemaSynthesizer:
    """Builds a document that validates against a (strict, OpenAI-style) JSON Schema."""

    concept: str
    root: Mapping[str, Any]
    variant: Variant = "normal"

    def generate(self) -> Any:
        return self.value(self.root)

    # -- schema helpers ---------------------------------------------------------------------

    def _pointer(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#"):
            return {}
        node: Any = self.root
        for raw in ref.lstrip("#").strip("/").split("/"):
            if not raw:
                continue
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return {}
        return node if isinstance(node, Mapping) else {}

    def resolve(self, schema: Any) -> dict[str, Any]:
        if not isinstance(schema, Mapping):
            return {}
        resolved = dict(schema)
        for _ in range(64):
            if "$ref" not in resolved:
                break
            target = self._pointer(str(resolved.pop("$ref")))
            resolved = {**target, **resolved}
        if "allOf" in resolved:
            resolved = self._merge_all_of(resolved)
        return resolved

    def _merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            sub = self.resolve(part)
            props = {**sub.get("properties", {}), **merged.get("properties", {})}
            required = list(dict.fromkeys([*merged.get("required", []), *sub.get("required", [])]))
            for key, value in sub.items():
                merged.setdefault(key, value)
            if props:
                merged["properties"] = props
            if required:
                merged["required"] = required
        return merged

    def _is_null(self, schema: Any) -> bool:
        resolved = self.resolve(schema)
        return resolved.get("type") == "null" or resolved.get("type") == ["null"]

    def _branch(self, options: Sequence[Any], depth: int) -> Any:
        nulls = [o for o in options if self._is_null(o)]
        others = [o for o in options if not self._is_null(o)]
        if nulls and (depth > MAX_SCHEMA_DEPTH or not others):
            return nulls[0]
        return others[0] if others else {}

    @staticmethod
    def _type(schema: Mapping[str, Any], depth: int) -> str:
        declared = schema.get("type")
        if isinstance(declared, list):
            concrete = [t for t in declared if t != "null"]
            if not concrete or (depth > MAX_SCHEMA_DEPTH and "null" in declared):
                return "null"
            return str(concrete[0])
        if isinstance(declared, str):
            return declared
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        return "string"

    # -- values -----------------------------------------------------------------------------

    def value(self, schema: Any, name: str = "", index: int = 0, depth: int = 0) -> Any:
        resolved = self.resolve(schema)
        if "const" in resolved:
            return resolved["const"]
        if isinstance(resolved.get("enum"), list) and resolved["enum"]:
            return resolved["enum"][index % len(resolved["enum"])]
        for key in ("anyOf", "oneOf"):
            if isinstance(resolved.get(key), list) and resolved[key]:
                branch = self._branch(resolved[key], depth)
                return self.value(branch, name, index, depth + 1)
        kind = self._type(resolved, depth)
        if kind == "object":
            return self._object(resolved, index, depth)
        if kind == "array":
            return self._array(resolved, name, index, depth)
        if kind == "integer":
            return self._number(resolved, index + 1, integer=True)
        if kind == "number":
            return self._number(resolved, index + 1.5, integer=False)
        if kind == "boolean":
            return self.variant != "empty_fields"
        if kind == "null":
            return None
        return self._string(resolved, name, index)

    def _object(self, schema: Mapping[str, Any], index: int, depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        obj = {key: self.value(sub, key, index, depth + 1) for key, sub in properties.items()}
        for key in schema.get("required", []):
            if key not in obj:
                obj[key] = self._string({}, key, index)
        self._fix_answer(obj, properties, index)
        return obj

    def _array(self, schema: Mapping[str, Any], name: str, outer: int, depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        count = low if self.variant == "empty_fields" or depth > MAX_SCHEMA_DEPTH else max(low, 3)
        if schema.get("maxItems") is not None:
            count = min(count, int(schema["maxItems"]))
        item_schema = self.resolve(schema.get("items", {}))
        if self._is_choice_list(name, item_schema, depth):
            texts = choice_texts(self.concept, count, outer % count if count else 0)
            return _distinct([fit_length(t, item_schema) for t in texts], item_schema)
        items = [self.value(item_schema, name, i, depth + 1) for i in range(count)]
        if (
            schema.get("uniqueItems")
            and len({json.dumps(i, sort_keys=True) for i in items}) < count
        ):
            normal = SchemaSynthesizer(self.concept, self.root, "normal")
            items = [normal.value(item_schema, name, i, depth + 1) for i in range(count)]
        return items

    def _is_choice_list(self, name: str, item_schema: Mapping[str, Any], depth: int) -> bool:
        if _key(name) not in {"choices", "options"} or self.variant == "empty_fields":
            return False
        plain = not any(k in item_schema for k in ("enum", "const", "anyOf", "oneOf", "format"))
        return plain and self._type(item_schema, depth) == "string"

    def _string(self, schema: Mapping[str, Any], name: str, index: int) -> str:
        fmt = schema.get("format")
        if (
            self.variant == "empty_fields"
            and int(schema.get("minLength", 0)) == 0
            and not fmt
            and "pattern" not in schema
        ):
            return ""
        if isinstance(fmt, str) and fmt in _FORMATS:
            return str(_FORMATS[fmt](index))
        return fit_length(field_text(name, self.concept, index), schema)

    def _number(self, schema: Mapping[str, Any], preferred: float, *, integer: bool) -> float | int:
        low = schema.get("minimum")
        high = schema.get("maximum")
        if schema.get("exclusiveMinimum") is not None:
            low = schema["exclusiveMinimum"] + (1 if integer else 0.001)
        if schema.get("exclusiveMaximum") is not None:
            high = schema["exclusiveMaximum"] - (1 if integer else 0.001)
        value = preferred
        if low is not None:
            value = max(value, math.ceil(low) if integer else low)
        if high is not None:
            value = min(value, math.floor(high) if integer else high)
        return int(value) if integer else float(value)

    def _fix_answer(self, obj: dict[str, Any], properties: Mapping[str, Any], index: int) -> None:
        """Keep ``answer`` consistent with ``choices`` (or deliberately not, for wrong_answer)."""
        choices, answer = obj.get("choices"), obj.get("answer")
        if not isinstance(answer, str) or not isinstance(choices, list):
            return
        if not all(isinstance(c, str) for c in choices):
            return
        answer_schema = self.resolve(properties.get("answer", {}))
        if self.variant == "wrong_answer":
            obj["answer"] = self._wrong_answer(choices, answer_schema)
        elif choices and answer not in choices:
            allowed = answer_schema.get("enum")
            candidates = [c for c in choices if not allowed or c in allowed]
            if candidates:
                obj["answer"] = candidates[index % len(candidates)]

    @staticmethod
    def _wrong_answer(choices: Sequence[str], answer_schema: Mapping[str, Any]) -> str:
        allowed = answer_schema.get("enum")
        if isinstance(allowed, list):
            outside = [a for a in allowed if isinstance(a, str) and a not in choices]
            if outside:
                return outside[0]
        candidate = "None of the listed options"
        while candidate in choices:
            candidate += "!"
        return candidate


# --------------------------------------------------------------------------------------------
# Completions
# --------------------------------------------------------------------------------------------


@dataclass
class Completion:
    content: str | None
    refusal: str | None = None
    finish_reason: str = "stop"


def _json_schema(response_format: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if not response_format or response_format.get("type") != "json_schema":
        return None
    spec = response_format.get("json_schema") or {}
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    return schema if isinstance(schema, Mapping) else {}


def _answer_text(request: ChatRequest, concept: str, variant: Variant) -> str:
    schema = _json_schema(request.response_format)
    if schema is not None:
        document = SchemaSynthesizer(concept, schema, variant).generate()
        return json.dumps(document, ensure_ascii=False)
    if request.response_format and request.response_format.get("type") == "json_object":
        return json.dumps(
            {
                "title": f"Understanding {concept}",
                "content": markdown_body(concept),
                "concept": concept,
            },
            ensure_ascii=False,
        )
    return f"# Understanding {concept}\n\n{markdown_body(concept)}"


_VARIANTS: dict[str, Variant] = {"wrong_answer": "wrong_answer", "empty_fields": "empty_fields"}


def _cut(text: str, limit: int) -> str:
    return text[: max(1, min(limit, len(text) - 1))]


def build_completion(request: ChatRequest, mode: str, echo: str | None = None) -> Completion:
    """The assistant message for a successful (HTTP 200) mode; with ``echo``, that key's value
    from the prompt is written next to the concept wherever the answer names it."""
    if mode == "refusal":
        return Completion(content=None, refusal=REFUSAL_TEXT)
    if mode == "invalid_json":
        return Completion(content=INVALID_JSON_TEXT)
    concept = extract_concept(request.messages)
    echoed = extract_value(request.messages, echo) if echo else None
    if echoed:
        concept = f"{concept} (for: {echoed})"
    text = _answer_text(request, concept, _VARIANTS.get(mode, "normal"))
    if mode == "truncated":
        return Completion(content=_cut(text, len(text) // 2), finish_reason="length")
    if request.max_tokens is not None and estimate_tokens(len(text)) > request.max_tokens:
        return Completion(content=_cut(text, request.max_tokens * 4), finish_reason="length")
    return Completion(content=text)


def completion_body(
    request: ChatRequest, completion: Completion, prompt_tokens: int
) -> dict[str, Any]:
    completion_tokens = completion_token_count(completion)
    return {
        "id": f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": completion.content,
                    "refusal": completion.refusal,
                },
                "finish_reason": completion.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_ailp_test_double",
    }


def completion_token_count(completion: Completion) -> int:
    return estimate_tokens(len(completion.content or completion.refusal or ""))


def error_body(status: int, behaviour: Mapping[str, Any]) -> dict[str, Any]:
    error_type, code, message = _ERRORS[status]
    retry_after = behaviour.get("retry_after", 1)
    return {
        "error": {
            "message": str(behaviour.get("message", message)).replace(
                "{retry_after}", str(retry_after)
            ),
            "type": behaviour.get("type", error_type),
            "param": None,
            "code": behaviour.get("code", code),
        }
    }


def error_headers(status: int, behaviour: Mapping[str, Any]) -> dict[str, str]:
    if status != 429:
        return {}
    headers = {"x-ratelimit-remaining-requests": "0"}
    retry_after = behaviour.get("retry_after", 1)
    if retry_after is not None:
        seconds = max(0, math.ceil(float(retry_after)))
        headers["retry-after"] = str(seconds)
        headers["x-ratelimit-reset-requests"] = f"{seconds}s"
    if behaviour.get("retry_after_ms") is not None:
        headers["retry-after-ms"] = str(int(behaviour["retry_after_ms"]))
    return headers


# --------------------------------------------------------------------------------------------
# HTTP layer
# --------------------------------------------------------------------------------------------


async def _wait_for_disconnect(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def sleep_unless_disconnected(request: Request, delay: float) -> bool:
    """Sleep ``delay`` seconds; return True early if the client went away meanwhile."""
    sleeper = asyncio.ensure_future(asyncio.sleep(delay))
    watcher = asyncio.ensure_future(_wait_for_disconnect(request))
    try:
        done, _ = await asyncio.wait({sleeper, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sleeper, watcher):
            task.cancel()
    return watcher in done and sleeper not in done


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


class ModelServerApp:
    """Starlette endpoints bound to one :class:`ServerState`."""

    def __init__(self, state: ServerState | None = None) -> None:
        self.state = state or ServerState()

    def routes(self) -> list[Route]:
        return [
            Route("/v1/chat/completions", self.chat_completions, methods=["POST"]),
            Route("/v1/models", self.list_models, methods=["GET"]),
            Route("/_control/script", self.control_script, methods=["POST"]),
            Route("/_control/default", self.control_default, methods=["POST"]),
            Route("/_control/rules", self.control_rules, methods=["POST"]),
            Route("/_control/reset", self.control_reset, methods=["POST"]),
            Route("/_control/requests", self.control_requests, methods=["GET"]),
            Route("/_control/state", self.control_state, methods=["GET"]),
            Route("/_control/health", self.health, methods=["GET"]),
        ]

    # -- model API --------------------------------------------------------------------------

    async def chat_completions(self, request: Request) -> Response:
        received_at = time.time()
        parsed = parse_chat_request(_json_or_none(await request.body()))
        authorized = bool(bearer_token(request.headers.get("authorization")))
        # No awaits from here until the entry is recorded: choose + record atomically.
        behaviour = self._choose(parsed, authorized)
        entry = self.state.record(self._entry(received_at, parsed, behaviour, authorized))
        response = await self._respond(request, parsed, behaviour, entry)
        entry["status"] = response.status_code
        entry["finished_at"] = time.time()
        return response

    def _choose(self, parsed: ChatRequest | str, authorized: bool) -> dict[str, Any]:
        if not authorized:
            return {
                "mode": "401",
                "message": "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                "code": None,
            }
        if isinstance(parsed, str):
            return {"mode": "400", "message": parsed}
        if parsed.stream:
            return {
                "mode": "400",
                "message": "stream=true is not supported by the test model server",
            }
        haystack = json.dumps(parsed.messages, ensure_ascii=False) + messages_text(parsed.messages)
        return self.state.next_behaviour(haystack.lower())

    @staticmethod
    def _entry(
        at: float, parsed: ChatRequest | str, behaviour: Mapping[str, Any], authorized: bool
    ) -> dict[str, Any]:
        request = parsed if isinstance(parsed, ChatRequest) else None
        messages = request.messages if request else []
        return {
            "at": at,
            "finished_at": None,
            "request_id": f"req_{secrets.token_hex(16)}",
            "model": request.model if request else None,
            "max_tokens": request.max_tokens if request else None,
            "response_format": (request.response_format or {}).get("type") if request else None,
            "prompt_tokens": estimate_tokens(len(messages_text(messages))) if request else 0,
            "completion_tokens": 0,
            "status": None,
            "finish_reason": None,
            "mode": behaviour["mode"],
            "authorization_present": authorized,
            "concept": extract_concept(messages) if request else None,
            "message_count": len(messages),
            "messages": messages,
        }

    async def _respond(
        self,
        request: Request,
        parsed: ChatRequest | str,
        behaviour: Mapping[str, Any],
        entry: dict[str, Any],
    ) -> Response:
        mode = behaviour["mode"]
        delay = float(behaviour.get("delay", DEFAULT_DELAYS.get(mode, 0.0)))
        if "delay_max" in behaviour:
            delay = random.uniform(delay, float(behaviour["delay_max"]))
        if delay > 0 and await sleep_unless_disconnected(request, delay):
            entry["client_disconnected"] = True
            return Response(status_code=CLIENT_CLOSED_STATUS)
        headers = {
            "x-request-id": entry["request_id"],
            "openai-processing-ms": str(int((time.time() - entry["at"]) * 1000)),
            **self.state.rate_limit_headers(time.time()),
        }
        if mode in ERROR_MODES or not isinstance(parsed, ChatRequest):
            status = int(mode) if mode in ERROR_MODES else 400
            headers.update(error_headers(status, behaviour))
            headers.update({str(k): str(v) for k, v in behaviour.get("headers", {}).items()})
            return JSONResponse(error_body(status, behaviour), status_code=status, headers=headers)
        completion = build_completion(parsed, mode, behaviour.get("echo"))
        body = completion_body(parsed, completion, entry["prompt_tokens"])
        entry["completion_tokens"] = body["usage"]["completion_tokens"]
        entry["finish_reason"] = completion.finish_reason
        headers["openai-model"] = parsed.model
        headers.update({str(k): str(v) for k, v in behaviour.get("headers", {}).items()})
        return JSONResponse(body, headers=headers)

    async def list_models(self, request: Request) -> Response:
        created = int(time.time())
        models = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"]
        data = [
            {"id": m, "object": "model", "created": created, "owned_by": "ailp-test"}
            for m in models
        ]
        return JSONResponse({"object": "list", "data": data})

    # -- control API ------------------------------------------------------------------------

    async def _control_body(self, request: Request) -> Any:
        return _json_or_none(await request.body()) or {}

    async def control_script(self, request: Request) -> Response:
        body = await self._control_body(request)
        steps = body.get("steps") if isinstance(body, Mapping) else None
        if not isinstance(steps, list):
            return _control_error('expected {"steps": [...]}')
        try:
            normalized = [normalize_behaviour(step, allow_count=True) for step in steps]
        except (TypeError, ValueError) as exc:
            return _control_error(str(exc))
        self.state.enqueue(normalized)
        return JSONResponse({"queued": self.state.queued_units()})

    async def control_default(self, request: Request) -> Response:
        try:
            self.state.default = normalize_behaviour(await self._control_body(request))
        except (TypeError, ValueError) as exc:
            return _control_error(str(exc))
        return JSONResponse({"default": self.state.default})

    async def control_rules(self, request: Request) -> Response:
        body = await self._control_body(request)
        match = body.get("match") if isinstance(body, Mapping) else None
        if not isinstance(match, str) or not match:
            return _control_error("a rule needs a non-empty string 'match'")
        try:
            behaviour = normalize_behaviour({k: v for k, v in body.items() if k != "match"})
        except (TypeError, ValueError) as exc:
            return _control_error(str(exc))
        self.state.rules.append(Rule(match.lower(), behaviour))
        return JSONResponse({"rules": len(self.state.rules)})

    async def control_reset(self, request: Request) -> Response:
        self.state.reset()
        return JSONResponse({"status": "reset"})

    async def control_requests(self, request: Request) -> Response:
        since_raw = request.query_params.get("since")
        try:
            since = float(since_raw) if since_raw else None
        except ValueError:
            return _control_error("since must be a unix timestamp")
        entries = [e for e in self.state.log if since is None or e["at"] >= since]
        if request.query_params.get("brief") in ("1", "true"):
            entries = [{k: v for k, v in e.items() if k != "messages"} for e in entries]
        return JSONResponse({"requests": entries})

    async def control_state(self, request: Request) -> Response:
        return JSONResponse(self.state.snapshot())

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})


def _control_error(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def create_app(state: ServerState | None = None) -> Starlette:
    handlers = ModelServerApp(state)
    app = Starlette(routes=handlers.routes())
    app.state.model_server = handlers.state
    return app


# --------------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------------


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


async def serve(
    host: str, port: int, port_file: Path | None, state: ServerState | None = None
) -> None:
    """Run the server until SIGINT/SIGTERM; write the bound port to ``port_file`` once listening."""
    config = uvicorn.Config(
        create_app(state),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=75,
        timeout_graceful_shutdown=1,
        backlog=4096,
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started and port_file is not None:
        bound = server.servers[0].sockets[0].getsockname()[1]
        _write_atomically(port_file, str(bound))
    await task


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", type=Path, help="written with the port once listening")
    parser.add_argument("--rpm-limit", type=int, default=10_000)
    parser.add_argument("--tpm-limit", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    state = ServerState(rpm_limit=args.rpm_limit, tpm_limit=args.tpm_limit)
    asyncio.run(serve(args.host, args.port, args.port_file, state))


# --------------------------------------------------------------------------------------------
# Python helpers for tests and benchmarks
# --------------------------------------------------------------------------------------------


class ModelServerControl:
    """Client for the ``/_control`` API of a running model server (``root_url`` = server root)."""

    def __init__(self, root_url: str, timeout: float = 10.0) -> None:
        self.root_url = root_url.rstrip("/")
        self._http = httpx.Client(base_url=self.root_url, timeout=timeout)

    def _post(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        response = self._http.post(path, json=dict(payload))
        if response.status_code >= 400:
            raise ValueError(f"{path}: {response.status_code} {response.text}")
        return dict(response.json())

    def script(self, *steps: Mapping[str, Any]) -> int:
        """Append steps (``{"mode": "429", "count": 3, ...}``); returns queued units."""
        return int(self._post("/_control/script", {"steps": [dict(s) for s in steps]})["queued"])

    def set_default(self, **behaviour: Any) -> None:
        self._post("/_control/default", behaviour)

    def add_rule(self, match: str, **behaviour: Any) -> None:
        self._post("/_control/rules", {"match": match, **behaviour})

    def hold(self, seconds: float) -> str:
        """A fresh concept whose calls answer only after `seconds` (so its jobs stay unfinished
        that long); every prompt that contains it is held, e.g. f"{concept} {i}"."""
        concept = f"hold-{uuid.uuid4().hex[:10]}"
        self.add_rule(concept, mode="slow", delay=seconds)
        return concept

    def reset(self) -> None:
        self._post("/_control/reset", {})

    def requests(self, since: float | None = None, *, brief: bool = False) -> list[dict[str, Any]]:
        """The request log (oldest first); `brief` leaves each request's messages out."""
        params = {"since": repr(since)} if since is not None else {}
        if brief:
            params["brief"] = "1"
        response = self._http.get("/_control/requests", params=params or None)
        response.raise_for_status()
        return list(response.json()["requests"])

    def state(self) -> dict[str, Any]:
        response = self._http.get("/_control/state")
        response.raise_for_status()
        return dict(response.json())

    def healthy(self) -> bool:
        try:
            return self._http.get("/_control/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._http.close()


class ModelServerProcess:
    """Start the model server as a subprocess; usable as a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        startup_timeout: float = 20.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.host = host
        self.startup_timeout = startup_timeout
        self.extra_args = list(extra_args)
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._tmpdir: Path | None = None
        self._log: Any = None
        self._control: ModelServerControl | None = None

    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("model server is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``OPENAI_BASE_URL`` / ``OpenAI(base_url=...)`` should be."""
        return f"{self.root_url}/v1"

    @property
    def control(self) -> ModelServerControl:
        if self._control is None:
            raise RuntimeError("model server is not running")
        return self._control

    @property
    def log_path(self) -> Path | None:
        return self._tmpdir / "server.log" if self._tmpdir else None

    def start(self) -> ModelServerProcess:
        if self._process is not None:
            return self
        self._tmpdir = Path(tempfile.mkdtemp(prefix="ailp-model-server-"))
        port_file = self._tmpdir / "port"
        self._log = (self._tmpdir / "server.log").open("wb")
        command = [sys.executable, "-m", "tests.support.model_server", "--host", self.host]
        command += ["--port", "0", "--port-file", str(port_file), *self.extra_args]
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_until_ready(port_file)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self, port_file: Path) -> None:
        deadline = time.monotonic() + self.startup_timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"model server exited early:\n{self._log_tail()}")
            if self.port is None and port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text().strip())
                self._control = ModelServerControl(self.root_url)
            if self._control is not None and self._control.healthy():
                return
            time.sleep(0.02)
        raise TimeoutError(
            f"model server not healthy after {self.startup_timeout}s:\n{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        path = self.log_path
        if path is None or not path.exists():
            return ""
        return path.read_text(errors="replace")[-4000:]

    def stop(self, timeout: float = 5.0) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=timeout)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        self.port = None

    def __enter__(self) -> ModelServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def peak_requests_in_window(
    requests: Iterable[Mapping[str, Any]], window_seconds: float = 60.0
) -> int:
    """Max number of requests whose ``at`` falls inside any window of ``window_seconds``."""
    times = sorted(float(r["at"]) for r in requests)
    best = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window_seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def peak_tokens_in_window(
    requests: Iterable[Mapping[str, Any]], window_seconds: float = 60.0
) -> int:
    """Max sum of prompt+completion tokens of requests received inside any such window."""
    points = sorted(
        (float(r["at"]), int(r.get("prompt_tokens") or 0) + int(r.get("completion_tokens") or 0))
        for r in requests
    )
    best = total = start = 0
    for moment, tokens in points:
        total += tokens
        while moment - points[start][0] >= window_seconds:
            total -= points[start][1]
            start += 1
        best = max(best, total)
    return best


if __name__ == "__main__":
    main()
