"""The operator's views: the business dashboard and the fitted learner model."""

from __future__ import annotations

from typing import Any

import asyncpg

from ailp.config import Settings
from ailp.errors import NotFound
from gateway.admin import repository


async def stats(pool: asyncpg.Pool, settings: Settings, *, days: int) -> dict[str, Any]:
    """The dashboard: the window's figures and today's top spenders."""
    figures = await window_stats(pool, days=days, budget_usd=settings.openai_daily_budget_usd)
    figures["top_spenders"] = [
        {
            "user_id": spender["user_id"],
            "username": spender["username"],
            "cost_usd_today": float(spender["cost_usd_today"]),
            "in_flight_usd": float(spender["in_flight_usd"]),
            "allowance_usd": settings.openai_user_daily_budget_usd,
        }
        for spender in await repository.top_spenders(pool)
    ]
    return figures


async def window_stats(pool: asyncpg.Pool, *, days: int, budget_usd: float) -> dict[str, Any]:
    """The figures of the last `days` days, with the rates derived from them."""
    row = await repository.stats(pool, days=days)
    generated = int(row["generated"])
    ai = int(row["by_openai"]) + int(row["by_cache"])
    completion_count = int(row["completion_count"])
    started = int(row["jobs_started"])
    return {
        "window_days": days,
        "users_total": row["users_total"],
        "new_users": int(row["new_users"]),
        "active_users_daily": row["active_daily"],
        "active_users_monthly": row["active_monthly"],
        "sessions": int(row["sessions"]),
        "avg_completion_rate": (
            float(row["completion_sum"]) / completion_count if completion_count else 0.0
        ),
        "content": {
            "generated": generated,
            "by_source": {
                "openai": int(row["by_openai"]),
                "cache": int(row["by_cache"]),
                "fallback": int(row["by_fallback"]),
            },
            "ai_success_rate": ai / generated if generated else 0.0,
            "fallback_rate": int(row["by_fallback"]) / generated if generated else 0.0,
            "cost_usd": float(row["cost_usd"]),
            "cost_usd_today": float(row["cost_today"]),
            "budget_usd_today": budget_usd,
        },
        "top_concepts": [
            {"concept": item["concept"], "requests": int(item["requests"])}
            for item in row["top_concepts"]
        ],
        "jobs": {
            "queued": row["jobs_queued"],
            "running": row["jobs_running"],
            "failed": int(row["jobs_failed"]),
            "avg_wait_seconds": float(row["wait_seconds"]) / started if started else 0.0,
        },
    }


async def learner_model(pool: asyncpg.Pool) -> dict[str, Any]:
    """The newest learner-model parameter version, as the operator page shows it."""
    row = await repository.newest_learner_model(pool)
    if row is None:
        raise NotFound("learner-model")
    return {
        "version": row["id"],
        "fitted_at": row["fitted_at"],
        "source": row["source"],
        "concepts": row["concepts"],
        "evaluation": row["evaluation"],
    }
