"""What the model must return, sent as a strict JSON schema.

The models themselves (and every rule they enforce or normalise) are the shared content model,
`ailp.schemas.content`; this module turns them into the `response_format` of a Chat Completions
call. OpenAI's strict dialect refuses many constraint keywords (`maxLength`, `minItems`, ...), so
those are removed here, but each field keeps its `description`, which states the same limits in
words: the model is told everything the validators enforce.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic import BaseModel

from ailp.schemas.content import OUTPUT_MODELS

__all__ = ["OUTPUT_MODELS", "response_format", "strict_schema"]

_UNSUPPORTED = {
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "format",
    "default",
    "title",
}


@cache
def response_format(content_type: str) -> dict[str, Any]:
    """`response_format` for Chat Completions: a strict JSON schema for the content type.

    Computed once per content type and shared: callers must not change it."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": f"ailp_{content_type}",
            "strict": True,
            "schema": strict_schema(OUTPUT_MODELS[content_type]),
        },
    }


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in OpenAI's strict dialect: every property required, no extras,
    `$defs` inlined, unsupported constraint keywords removed, field descriptions kept.

    A class's docstring (its schema's own description) is for the code's readers and is left
    out; what the model needs to know is in the descriptions of the fields."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return _strictify(schema, definitions)


def _strictify(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strictify(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[-1]])
        target.pop("description", None)
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return _strictify({**target, **siblings}, definitions)
    result = {
        key: _strictify(value, definitions)
        for key, value in node.items()
        if key not in _UNSUPPORTED and key != "properties"
    }
    if "properties" in node:  # property names are data, not keywords: keep every one
        result.pop("description", None)  # the class's docstring
        result["properties"] = {
            name: _strictify(value, definitions) for name, value in node["properties"].items()
        }
    if result.get("type") == "object" or "properties" in result:
        result["type"] = "object"
        result["additionalProperties"] = False
        result["required"] = list(result.get("properties", {}))
    return result
