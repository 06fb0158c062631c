"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import mapped_column

CreatedAt = Annotated[
    datetime, mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
]
JsonObject = Annotated[dict[str, Any], mapped_column(JSONB, nullable=False, server_default="{}")]


def check_in(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that `column` is one of `values`."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
