"""The newest learner-model parameter version, as the operator page shows it (one round trip)."""

from __future__ import annotations

from typing import Any

import asyncpg

from ailp.errors import NotFound

_NEWEST = """
SELECT v.id, v.fitted_at, v.source, v.evaluation,
       coalesce(
           (SELECT json_agg(json_build_object(
                        'concept', p.concept, 'p_init', p.p_init, 'p_transit', p.p_transit,
                        'p_forget', p.p_forget, 'guess', p.guess, 'slip', p.slip,
                        'responses', p.responses)
                    ORDER BY p.concept)
            FROM learner_model_concept_params p WHERE p.version_id = v.id),
           '[]') AS concepts
FROM learner_model_versions v
ORDER BY v.id DESC
LIMIT 1
"""


async def newest(pool: asyncpg.Pool) -> dict[str, Any]:
    row = await pool.fetchrow(_NEWEST)
    if row is None:
        raise NotFound(
            "No learner-model parameters have been fitted yet, so every concept uses the "
            "default parameters. Run `ailp learner-model fit` (or wait for the scheduled fit)."
        )
    return {
        "version": row["id"],
        "fitted_at": row["fitted_at"],
        "source": row["source"],
        "concepts": row["concepts"],
        "evaluation": row["evaluation"],
    }
