"""Reading a chat request: its parsed body, its text, and the learner's concept in the prompt."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_CONCEPT = "the topic"


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
