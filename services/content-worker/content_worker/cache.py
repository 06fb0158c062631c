"""Serving earlier model output: identical requests (the cache) and, when the model is
unavailable, the best earlier AI piece for the same concept and type."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ailp.models import Content
from ailp.models.enums import ContentSource
from content_worker.domain import ContentRequest, normalize_concept

_LEVEL_RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}


def cache_key(request: ContentRequest, *, model: str, prompt_version: str) -> str:
    """Identical requests: same normalized concept, type, level, style, niche, model and prompt."""
    parts = [
        normalize_concept(request.concept),
        request.content_type,
        request.experience_level,
        request.learning_style,
        normalize_concept(request.niche),
        model,
        prompt_version,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def find_identical(session: Session, *, key: str, max_age_days: int) -> Content | None:
    return session.scalars(
        select(Content)
        .where(
            Content.cache_key == key,
            Content.source == ContentSource.openai.value,
            Content.created_at > func.now() - timedelta(days=max_age_days),
        )
        .order_by(Content.created_at.desc())
        .limit(1)
    ).first()


def find_nearest(session: Session, *, request: ContentRequest) -> Content | None:
    """The best earlier AI piece for this concept and type, any learner, nearest level first."""
    wanted = _LEVEL_RANK.get(request.experience_level, 0)
    level_rank = case(_LEVEL_RANK, value=Content.experience_level, else_=0)
    return session.scalars(
        select(Content)
        .where(
            Content.concept_key == normalize_concept(request.concept),
            Content.content_type == request.content_type,
            Content.source == ContentSource.openai.value,
        )
        .order_by(func.abs(level_rank - wanted), Content.created_at.desc())
        .limit(1)
    ).first()
