"""The bodies the server answers with: a chat completion for the success modes, an OpenAI
error for the error modes."""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.model_server.prompts import (
    ChatRequest,
    estimate_tokens,
    extract_concept,
    extract_value,
)
from tests.support.model_server.schema import SchemaSynthesizer
from tests.support.model_server.state import Variant
from tests.support.model_server.text import markdown_body

REFUSAL_TEXT = "I can't help with that."
INVALID_JSON_TEXT = '{"title": "Broken'

# (type, code, message) per scripted error status; OpenAI puts these under {"error": {...}}.
ERRORS: dict[int, tuple[str, str | None, str]] = {
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
    error_type, code, message = ERRORS[status]
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
