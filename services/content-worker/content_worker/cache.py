"""Serving earlier model output: identical requests (the cache) and, when the model is
unavailable, the best earlier AI piece for the same concept and type.

Both obey the piece's audience (`content_worker.privacy`): a private piece is found only for
its owner, a shared one for anyone. The audience is in the cache key and, again, in every query,
so neither a key collision nor a query that forgets the key can hand out a private piece.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import Session

from ailp.models import Content
from ailp.models.enums import ContentSource
from content_worker.domain import ContentRequest, normalize_concept
from content_worker.privacy import Audience, audience_of

_LEVEL_RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}
# Spelled `shared = true`, not `shared IS TRUE`: only the former lets PostgreSQL use the partial
# index on shared pieces (`WHERE source = 'openai' AND shared`).
_SHARED = Content.shared == true()


def cache_key(request: ContentRequest, *, model: str, prompt_version: str) -> str:
    """Identical requests: same normalized concept, type, level, style, niche, model and prompt,
    and the same audience (everyone for a shareable request, else the one user who asked)."""
    parts = [
        normalize_concept(request.concept),
        request.content_type,
        request.experience_level,
        request.learning_style,
        normalize_concept(request.niche),
        model,
        prompt_version,
        audience_of(request).scope,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _visible_to(audience: Audience) -> ColumnElement[bool]:
    """Rows a request with this audience may be served as an identical piece."""
    if audience.shared:
        return _SHARED
    return Content.owner_user_id == audience.user_id


def find_identical(
    session: Session, *, request: ContentRequest, key: str, max_age_days: int
) -> Content | None:
    return session.scalars(
        select(Content)
        .where(
            Content.cache_key == key,
            Content.source == ContentSource.openai.value,
            _visible_to(audience_of(request)),
            Content.created_at > func.now() - timedelta(days=max_age_days),
        )
        .order_by(Content.created_at.desc())
        .limit(1)
    ).first()


def find_nearest(session: Session, *, request: ContentRequest) -> Content | None:
    """The best earlier AI piece for this concept and type, nearest level first, among the
    shared pieces and the asking user's own (whatever the audience of this request: a shared
    piece carries nobody's private fields, and the user's own pieces are theirs)."""
    candidates = [
        _nearest(session, request, _SHARED),
        _nearest(session, request, Content.owner_user_id == request.user_id),
    ]
    found = [piece for piece in candidates if piece is not None]
    wanted = _LEVEL_RANK.get(request.experience_level, 0)
    return min(
        found,
        key=lambda piece: (
            abs(_LEVEL_RANK.get(piece.experience_level, 0) - wanted),
            -piece.created_at.timestamp(),
        ),
        default=None,
    )


def _nearest(
    session: Session, request: ContentRequest, visible: ColumnElement[bool]
) -> Content | None:
    """One query per audience, so each uses its own index (shared pieces, the user's pieces)."""
    wanted = _LEVEL_RANK.get(request.experience_level, 0)
    level_rank = case(_LEVEL_RANK, value=Content.experience_level, else_=0)
    return session.scalars(
        select(Content)
        .where(
            Content.concept_key == normalize_concept(request.concept),
            Content.content_type == request.content_type,
            Content.source == ContentSource.openai.value,
            visible,
        )
        .order_by(func.abs(level_rank - wanted), Content.created_at.desc())
        .limit(1)
    ).first()
