"""A JSON document that validates against a response_format JSON Schema, written about a concept."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.support.model_server.state import Variant
from tests.support.model_server.text import (
    FORMATS,
    choice_texts,
    distinct,
    field_text,
    fit_length,
    squashed_key,
)

MAX_SCHEMA_DEPTH = 12


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
            return distinct([fit_length(t, item_schema) for t in texts], item_schema)
        items = [self.value(item_schema, name, i, depth + 1) for i in range(count)]
        if (
            schema.get("uniqueItems")
            and len({json.dumps(i, sort_keys=True) for i in items}) < count
        ):
            normal = SchemaSynthesizer(self.concept, self.root, "normal")
            items = [normal.value(item_schema, name, i, depth + 1) for i in range(count)]
        return items

    def _is_choice_list(self, name: str, item_schema: Mapping[str, Any], depth: int) -> bool:
        if squashed_key(name) not in {"choices", "options"} or self.variant == "empty_fields":
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
        if isinstance(fmt, str) and fmt in FORMATS:
            return str(FORMATS[fmt](index))
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
