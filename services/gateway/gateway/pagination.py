"""Opaque keyset cursors: base64 of (timestamp, id) of the last item on the previous page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from ailp.errors import Unprocessable
from gateway.validation import MAX_BIGINT, in_supported_range

T = TypeVar("T")
K = TypeVar("K")


# The `cursor` query parameter of every list: opaque, base64url without padding.
Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        description="`next_cursor` of the previous page, unchanged: an opaque token (any other "
        "value is a 422); empty or left out for the first page",
        json_schema_extra={"pattern": "^[A-Za-z0-9_-]*$"},
    ),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(at: datetime, item_id: Any) -> str:
    raw = orjson.dumps([at.isoformat(), str(item_id)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def page_of(
    rows: Sequence[Mapping[str, Any]],
    limit: int,
    *,
    at: str,
    item_id: str,
    render: Callable[[Mapping[str, Any]], dict[str, Any]] = dict,
) -> dict[str, Any]:
    """A page from `limit + 1` fetched rows: the extra row only says that another page exists,
    and the cursor points at the last row shown (its `at` timestamp and `item_id`)."""
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1][at], rows[-1][item_id])
    return {"items": [render(row) for row in rows], "next_cursor": next_cursor}


def decode_cursor(cursor: str | None, parse_id: Callable[[str], K]) -> tuple[datetime, K] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, item_id = orjson.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(at, str) or not isinstance(item_id, str):
            raise TypeError("the cursor's timestamp and id must be strings")
        parsed_at = datetime.fromisoformat(at)
        if parsed_at.tzinfo is None:
            raise ValueError("naive timestamp")
        return in_supported_range(parsed_at), parse_id(item_id)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise Unprocessable(
            "The cursor is not valid. Pass the `next_cursor` value from the previous page unchanged.",
            errors=[{"loc": ["query", "cursor"], "msg": "not a cursor this list issued"}],
        ) from exc


def bigint_id(value: str) -> int:
    """Parse a BIGINT row id taken from a cursor."""
    number = int(value)
    if not 1 <= number <= MAX_BIGINT:
        raise ValueError("id out of range")
    return number
