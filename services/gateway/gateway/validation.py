"""Reusable field types for request bodies."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints


def _no_control_characters(value: str) -> str:
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") for char in value):
        raise ValueError("must not contain control or invisible formatting characters")
    return value


def _no_control_except_newlines(value: str) -> str:
    _no_control_characters(value.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    return value


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def label(max_length: int) -> type[str]:
    """A one-line label: trimmed, 1..max_length characters, no control characters."""
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_no_control_characters),
    ]


def text_block(max_length: int) -> type[str]:
    """Free text (newlines allowed), at most max_length characters."""
    return Annotated[  # type: ignore[return-value]
        str, StringConstraints(max_length=max_length), AfterValidator(_no_control_except_newlines)
    ]


# Any ISO 8601 timestamp with an offset; stored and emitted in UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

MAX_BIGINT = 2**63 - 1

# Ids of BIGINT rows: out-of-range values are a 422, never a database error.
RowId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]  # in a path
BigId = Annotated[int, Field(ge=1, le=MAX_BIGINT)]  # in a body
