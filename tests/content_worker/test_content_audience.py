"""The cache and the fallback's reuse against real rows: a private piece is found for its owner
only, a shared one for anyone; migration 0005 makes every earlier piece private."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg2
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from ailp.db.migrate import alembic_config, downgrade, upgrade
from ailp.models import Content, Learner
from content_worker import cache
from content_worker.domain import ContentRequest
from content_worker.privacy import audience_of
from tests.support.database import create_database, drop_database
from tests.support.db_fixtures import new_learner

MODEL, VERSION = "gpt-4o-mini", "v2"


def _request(learner: Learner, concept: str, **overrides: object) -> ContentRequest:
    values: dict[str, object] = {
        "concept": concept,
        "content_type": "lesson",
        "experience_level": learner.experience_level,
        "learning_style": "visual",
        "niche": "data",
        "user_id": learner.user_id,
    }
    values.update(overrides)
    return ContentRequest(**values)  # type: ignore[arg-type]


def _store(db: Session, learner: Learner, request: ContentRequest, body: str) -> Content:
    """A model-written piece stored the way the worker stores it."""
    piece = Content(
        id=uuid.uuid4(),
        learner_id=learner.id,
        concept=request.concept,
        concept_key=request.concept.casefold(),
        content_type=request.content_type,
        experience_level=request.experience_level,
        title="t",
        body=body,
        source="openai",
        prompt_version=VERSION,
        cache_key=cache.cache_key(request, model=MODEL, prompt_version=VERSION),
        owner_user_id=request.user_id,
        shared=audience_of(request).shared,
    )
    db.add(piece)
    db.flush()
    return piece


def _identical(db: Session, request: ContentRequest) -> uuid.UUID | None:
    """The id of the piece served as identical (None: a cache miss)."""
    key = cache.cache_key(request, model=MODEL, prompt_version=VERSION)
    found = cache.find_identical(db, request=request, key=key, max_age_days=30)
    return found.id if found else None


def _nearest(db: Session, request: ContentRequest) -> uuid.UUID | None:
    """The id of the piece the fallback would reuse (None: none)."""
    found = cache.find_nearest(db, request=request)
    return found.id if found else None


def test_a_private_piece_is_found_for_its_owner_only(db: Session) -> None:
    alice, bob = new_learner(db), new_learner(db)
    concept = f"joins {uuid.uuid4().hex[:6]}"
    secret = _store(db, alice, _request(alice, concept, goals="secret"), "from Alice's goals")

    assert _identical(db, _request(alice, concept, goals="secret")) == secret.id
    assert _identical(db, _request(bob, concept)) is None
    assert _identical(db, _request(bob, concept, goals="secret")) is None  # same goals, other user
    assert _nearest(db, _request(bob, concept)) is None
    assert _nearest(db, _request(alice, concept)) == secret.id


def test_a_row_whose_audience_disagrees_with_its_key_is_not_served(db: Session) -> None:
    """The audience is checked in SQL as well as in the key: a private row under a shared key
    (a bug, or a copy of someone's private piece) is never a cache hit for anyone else."""
    alice, bob = new_learner(db), new_learner(db)
    concept = f"keys {uuid.uuid4().hex[:6]}"
    piece = _store(db, alice, _request(alice, concept), "x")
    piece.shared = False
    db.flush()
    assert _identical(db, _request(bob, concept)) is None
    assert _nearest(db, _request(bob, concept)) is None


def test_the_fallback_picks_the_nearest_level_among_shared_and_own_pieces(db: Session) -> None:
    alice, bob = new_learner(db, level="advanced"), new_learner(db, level="beginner")
    carol = new_learner(db, level="intermediate")
    concept = f"indexes {uuid.uuid4().hex[:6]}"
    shared_advanced = _store(db, alice, _request(alice, concept), "shared, advanced")
    others_private = _store(db, carol, _request(carol, concept, goals="g"), "Carol's")
    own_beginner = _store(db, bob, _request(bob, concept, goals="mine"), "Bob's own")

    assert _nearest(db, _request(bob, concept, goals="mine")) == own_beginner.id
    stranger = new_learner(db, level="intermediate")
    found = _nearest(db, _request(stranger, concept))
    assert found == shared_advanced.id and found != others_private.id


def test_a_shared_piece_is_found_for_everyone_asking_the_identical_request(db: Session) -> None:
    alice, bob = new_learner(db), new_learner(db)
    concept = f"groups {uuid.uuid4().hex[:6]}"
    shared = _store(db, alice, _request(alice, concept), "for anyone")
    assert _identical(db, _request(bob, concept.upper())) == shared.id
    assert _identical(db, _request(bob, concept, niche="Falcon")) is None  # private niche
    assert _identical(db, _request(bob, concept, goals="g")) is None  # a private request


def test_migration_0009_makes_earlier_pieces_private_to_their_owner() -> None:
    url = create_database("ailp_privacy_migration")
    driver_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    before = ScriptDirectory.from_config(alembic_config(driver_url)).get_revision("0005")
    try:
        downgrade(driver_url, str(before.down_revision))
        connection = psycopg2.connect(url)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO users (username, email, password_hash) VALUES ('old', 'o@x.io', 'x')"
                    " RETURNING id"
                )
                (user_id,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO learners (user_id, target_niche, experience_level, "
                    "preferred_learning_style) VALUES (%s, 'data', 'beginner', 'visual') RETURNING id",
                    (user_id,),
                )
                (learner_id,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO content (id, learner_id, concept, concept_key, content_type, "
                    "experience_level, title, body, source, prompt_version, cache_key, created_at) "
                    "VALUES (%s, %s, 'x', 'x', 'lesson', 'beginner', 't', 'b', 'openai', 'v1', "
                    "'k', %s)",
                    (str(uuid.uuid4()), learner_id, datetime.now(UTC) - timedelta(days=1)),
                )
            upgrade(driver_url)
            with connection, connection.cursor() as cursor:
                cursor.execute("SELECT owner_user_id, shared FROM content")
                assert cursor.fetchall() == [(user_id, False)]
        finally:
            connection.close()
    finally:
        drop_database(url)
