"""Reusable field types for request bodies: every rule that keeps bad input a 4xx."""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, TypeVar

from fastapi import Path
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    Strict,
    StringConstraints,
)


def _no_control_characters(value: str) -> str:
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") for char in value):
        raise ValueError("must not contain control or invisible formatting characters")
    return value


def _no_control_except_newlines(value: str) -> str:
    _no_control_characters(value.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    return value


# Timestamps a learning platform can meaningfully hold; outside, the database and Python
# datetimes overflow, so such values are refused as input errors.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def in_supported_range(value: datetime) -> datetime:
    """`value` in UTC, or ValueError when it is outside 1900-01-01 .. 2200-01-01 UTC."""
    try:
        moment = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("timestamp out of range (1900-01-01 to 2200-01-01 UTC)") from exc
    if not EARLIEST <= moment < LATEST:
        raise ValueError("timestamp out of range (1900-01-01 to 2200-01-01 UTC)")
    return moment


_ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text_only(value: object) -> object:
    # pydantic would read a number, or a string of digits, as Unix time; the contract says
    # ISO 8601 date-times.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        raise ValueError("must be an ISO 8601 timestamp string with a time zone offset")
    return value


MAX_JSON_DEPTH = 16
T = TypeVar("T")
_MIN_INT, _MAX_INT = -(2**63), 2**63 - 1


def storable_json(value: T, depth: int = 0) -> T:
    """Free-form JSON that PostgreSQL's jsonb and our encoder accept: bounded depth, 64-bit
    integers, finite numbers, text without NUL characters or lone surrogates."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        _storable_text(value)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if not _MIN_INT <= value <= _MAX_INT:
            raise ValueError("integers must fit in 64 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("numbers must be finite")
    elif isinstance(value, list):
        for item in value:
            storable_json(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable_text(key)
            storable_json(item, depth + 1)
    return value


def _storable_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    if any("\ud800" <= char <= "\udfff" for char in text):
        raise ValueError("text must not contain unpaired surrogate characters")


def _character_class(categories: tuple[str, ...], keep: str = "") -> str:
    """The code points of these Unicode categories (but `keep`), as the inside of a regular
    expression character class: `\\uXXXX` escapes in the BMP, the characters themselves above."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in categories and char not in keep:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])

    def render(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    return "".join(
        render(first) if first == last else f"{render(first)}-{render(last)}"
        for first, last in ranges
    )


# The validators' character rules as patterns for the OpenAPI document (documentation only: the
# validators above stay the rule), so that a generated client never sends what they refuse.
# Unpaired surrogates (category Cs) are refused as well, but a pattern cannot name them: JSON
# Schema validators work on Unicode scalar values, which never are surrogates; the fields'
# descriptions say so instead.
_CONTROL = _character_class(("Cc", "Cf", "Co"))
_CONTROL_BUT_NEWLINES = _character_class(("Cc", "Cf", "Co"), keep="\n\r\t")
# At least one character that is not whitespace (the value is trimmed first), none of them a
# control or invisible formatting character.
ONE_LINE_PATTERN = f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$"
FREE_TEXT_PATTERN = f"^[^{_CONTROL_BUT_NEWLINES}]*$"
# Text in free-form JSON: no NUL (and no unpaired surrogate).
STORABLE_TEXT_PATTERN = "^[^\\u0000]*$"


# One-line labels (trimmed, at least one character, no control characters) and free text
# (newlines allowed) in request bodies.
_ONE_LINE = AfterValidator(_no_control_characters)
Concept = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    _ONE_LINE,
    Field(json_schema_extra={"pattern": ONE_LINE_PATTERN}),
]
Niche = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
    _ONE_LINE,
    Field(json_schema_extra={"pattern": ONE_LINE_PATTERN}),
]
Goals = Annotated[
    str,
    StringConstraints(max_length=2000),
    AfterValidator(_no_control_except_newlines),
    Field(json_schema_extra={"pattern": FREE_TEXT_PATTERN}),
]

# Years whose every moment, in any offset, is inside EARLIEST .. LATEST.
SUPPORTED_YEARS_PATTERN = "^(190[1-9]|19[1-9][0-9]|20[0-9][0-9]|21[0-8][0-9]|219[0-8])-"

# Any ISO 8601 timestamp with an offset; stored and emitted in UTC.
UtcDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text_only),
    AfterValidator(in_supported_range),
    Field(json_schema_extra={"pattern": SUPPORTED_YEARS_PATTERN}),
]

# Numbers in request bodies: `true` is not 1.
StrictInt = Annotated[int, Strict()]
StrictFloat = Annotated[float, Strict()]

MAX_BIGINT = 2**63 - 1

# Ids of BIGINT rows: out-of-range values are a 422, never a database error.
RowId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]  # in a path
BigId = Annotated[int, Field(ge=1, le=MAX_BIGINT)]  # in a body
