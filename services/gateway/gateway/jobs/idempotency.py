"""The `Idempotency-Key` request header (1–255 printable ASCII characters)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header

from ailp.errors import Unprocessable

_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]{1,255}$")
# The same rule for the OpenAPI document, without leading or trailing spaces: HTTP drops those
# from a header value before the gateway sees it.
_DOCUMENTED = "^[\\x21-\\x7e]([\\x20-\\x7e]{0,253}[\\x21-\\x7e])?$"


async def _idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Repeat a request safely: the same key and body within 24 h return the "
            "same job. 1–255 printable ASCII characters, scoped to your account.",
            json_schema_extra={"pattern": _DOCUMENTED, "minLength": 1, "maxLength": 255},
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
