"""The `Idempotency-Key` request header (1–255 printable ASCII characters)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header

from ailp.errors import Unprocessable

_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]{1,255}$")


async def _idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Repeat a request safely: the same key and body within 24 h return the "
            "same job. 1–255 printable ASCII characters, scoped to your account.",
        ),
    ] = None,
) -> str | None:
    if idempotency_key is None:
        return None
    if not _PRINTABLE_ASCII.match(idempotency_key):
        raise Unprocessable(
            "Idempotency-Key must be 1–255 printable ASCII characters.",
            errors=[
                {"loc": ["header", "Idempotency-Key"], "msg": "1–255 printable ASCII characters"}
            ],
        )
    return idempotency_key


IdempotencyKey = Annotated[str | None, Depends(_idempotency_key)]
