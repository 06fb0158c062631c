"""One SQL text for both drivers: `:name` parameters (SQLAlchemy) turned into `$n` (asyncpg)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# `:name`, but not the `::` of a cast (statements shared this way use CAST(... AS ...) anyway).
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def positional(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The statement with `$1, $2, …` in place of `:name` (a name used twice keeps one number)
    and the arguments in that order, as asyncpg's `fetch(sql, *args)` expects."""
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise KeyError(f"no value for :{name}")
        if name not in numbers:
            numbers[name] = len(numbers) + 1
        return f"${numbers[name]}"

    converted = _NAMED.sub(number, sql)
    return converted, [params[name] for name in numbers]
