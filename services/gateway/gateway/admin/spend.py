"""Who spends the model budget today (the per-user allowance's view for operators)."""

from __future__ import annotations

from typing import Any

import asyncpg

TOP_SPENDERS = 10

_TOP_SPENDERS = """
SELECT u.id AS user_id, u.username,
       d.spent_micro / 1e6 AS cost_usd_today, d.reserved_micro / 1e6 AS in_flight_usd
FROM user_model_spend_days d JOIN users u ON u.id = d.user_id
WHERE d.day = CAST(now() AT TIME ZONE 'UTC' AS date) AND d.spent_micro + d.reserved_micro > 0
ORDER BY d.spent_micro DESC, u.id
LIMIT $1
"""


async def top_spenders(pool: asyncpg.Pool, *, allowance_usd: float) -> list[dict[str, Any]]:
    rows = await pool.fetch(_TOP_SPENDERS, TOP_SPENDERS)
    return [
        {
            "user_id": row["user_id"],
            "username": row["username"],
            "cost_usd_today": float(row["cost_usd_today"]),
            "in_flight_usd": float(row["in_flight_usd"]),
            "allowance_usd": allowance_usd,
        }
        for row in rows
    ]
