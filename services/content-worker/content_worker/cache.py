"""Serving earlier model output: identical requests (the cache) and, when the model is
unavailable, the best earlier AI piece for the same concept and type.

Both obey the piece's audience (`content_worker.privacy`): a private piece is found only for
its owner, a shared one for anyone. The audience is in the cache key and, again, in every query,
so neither a key collision nor a query that forgets the key can hand out a private piece.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, case, func, select, true

from ailp.db.direct import DirectStatement, run
from ailp.db.rows import Executor
from ailp.models import Content
from ailp.models.enums import ContentSource
from content_worker.domain import ContentRequest, normalize_concept
from content_worker.privacy import audience_of

_LEVEL_RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}
# Spelled `shared = true`, not `shared IS TRUE`: only the former lets PostgreSQL use the partial
# index on shared pieces (`WHERE source = 'openai' AND shared`).
_SHARED = Content.shared == true()


class StoredPiece(Protocol):
    """What serving an earlier piece reads of it (a `Content` row has all of it)."""

    id: uuid.UUID
    title: str
    body: str
    examples: list[Any]
    exercises: list[Any]
    model: str | None
    shared: bool
    experience_level: str
    created_at: datetime


# Only those columns, as plain rows: the lookup runs for every job, on a plain connection.
_PIECE = select(
    Content.id,
    Content.title,
    Content.body,
    Content.examples,
    Content.exercises,
    Content.model,
    Content.shared,
    Content.experience_level,
    Content.created_at,
)


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


def _identical(visible: str) -> DirectStatement:
    """The newest AI piece under a cache key, among the rows `visible` to the request."""
    return DirectStatement(
        f"""
        SELECT id, title, body, examples, exercises, model, shared, experience_level, created_at
        FROM content
        WHERE cache_key = :key AND source = '{ContentSource.openai.value}' AND {visible}
          AND created_at > now() - make_interval(days => :max_age_days)
        ORDER BY created_at DESC
        LIMIT 1
        """
    )


# Built once (every job looks): for a shareable request, and for a private one (its owner's rows).
_IDENTICAL_SHARED = _identical("shared = true")  # see _SHARED
_IDENTICAL_OWN = _identical("owner_user_id = :user_id")


def find_identical(
    session: Executor, *, request: ContentRequest, key: str, max_age_days: int
) -> StoredPiece | None:
    audience = audience_of(request)
    rows = run(
        session,
        _IDENTICAL_SHARED if audience.shared else _IDENTICAL_OWN,
        {"key": key, "max_age_days": max_age_days, "user_id": audience.user_id},
    )
    return rows[0] if rows else None


def find_nearest(session: Executor, *, request: ContentRequest) -> StoredPiece | None:
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
    session: Executor, request: ContentRequest, visible: ColumnElement[bool]
) -> StoredPiece | None:
    """One query per audience, so each uses its own index (shared pieces, the user's pieces)."""
    wanted = _LEVEL_RANK.get(request.experience_level, 0)
    level_rank = case(_LEVEL_RANK, value=Content.experience_level, else_=0)
    return session.execute(
        _PIECE.where(
            Content.concept_key == normalize_concept(request.concept),
            Content.content_type == request.content_type,
            Content.source == ContentSource.openai.value,
            visible,
        )
        .order_by(func.abs(level_rank - wanted), Content.created_at.desc())
        .limit(1)
    ).first()
