"""A valid request body for an operation, built from the OpenAPI document alone.

The generated tests (BOLA, inventory) must reach a new route's ownership check, not stop at
validation: a schema's own `examples` are used when it has them, else the smallest value that
fits each required field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def example_value(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    schema = _resolve(document, schema)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(document, o).get("type") != "null"]
            return example_value(document, options[0])
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: example_value(document, properties[name]) for name in schema.get("required", [])
        }
    if kind == "array":
        count = schema.get("minItems", 0)
        return [example_value(document, schema.get("items", {})) for _ in range(count)]
    if kind == "string":
        if schema.get("format") == "date-time":
            return datetime.now(UTC).isoformat()
        if schema.get("format") == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        if schema.get("format") == "email":
            return "someone@example.com"
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 0.5) if "maximum" in schema else 1.0
    if kind == "boolean":
        return True
    return None


def example_body(document: dict[str, Any], operation: dict[str, Any]) -> Any | None:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return example_value(document, content["application/json"]["schema"])
