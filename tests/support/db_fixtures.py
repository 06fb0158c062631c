"""Fixtures for tests against the database itself (tests/jobs, tests/content_worker, tests/ailp,
…): one migrated throw-away database for the run; each test inside a transaction that is rolled
back, so tests see a clean database and leave nothing behind. Registered for every test package
by tests/conftest.py; the HTTP tiers' own `learner` (a learner made through the API) overrides
the one here in their conftest."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, create_engine, func, text
from sqlalchemy.orm import Session

from ailp.models import Job, Learner, User
from tests.support.database import SCRATCH_REDIS_DB, create_database, drop_database, redis_url


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    url = create_database("ailp_service")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def new_learner(db: Session, *, level: str = "beginner") -> Learner:
    """A user of its own and a learner of that level, flushed in the test's transaction."""
    user = User(
        username=f"u{uuid.uuid4().hex[:10]}",
        email=f"{uuid.uuid4().hex[:10]}@example.com",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    learner = Learner(
        user_id=user.id,
        target_niche="data",
        experience_level=level,
        preferred_learning_style="visual",
    )
    db.add(learner)
    db.flush()
    return learner


@pytest.fixture
def learner(db: Session) -> Learner:
    return new_learner(db)


@pytest.fixture
def make_job(db: Session, learner: Learner) -> Callable[..., Job]:
    def make(*, published_seconds_ago: float = 0, **values: Any) -> Job:
        job = Job(
            id=uuid.uuid4(),
            user_id=learner.user_id,
            learner_id=learner.id,
            kind=values.pop("kind", "analytics"),
            params=values.pop("params", {"days": 30}),
            max_attempts=values.pop("max_attempts", 3),
            published_at=func.now() - timedelta(seconds=published_seconds_ago),
            **values,
        )
        db.add(job)
        db.flush()
        db.refresh(job)
        return job

    return make


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """A real Redis database of its own (emptied) standing in for the broker."""
    client = redis.Redis.from_url(redis_url(SCRATCH_REDIS_DB))
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def committed_learner(engine: Engine) -> Iterator[tuple[int, int]]:
    """(user id, learner id) committed for real, for tests whose connections must see each other's
    work (concurrency); deleted again afterwards."""
    with engine.begin() as connection:
        user_id = connection.execute(
            text(
                "INSERT INTO users (username, email, password_hash) "
                "VALUES (:name, :name || '@example.com', 'x') RETURNING id"
            ),
            {"name": f"u{uuid.uuid4().hex[:12]}"},
        ).scalar_one()
        learner_id = connection.execute(
            text(
                "INSERT INTO learners (user_id, target_niche, experience_level, "
                "preferred_learning_style) VALUES (:user, 'data', 'beginner', 'visual') RETURNING id"
            ),
            {"user": user_id},
        ).scalar_one()
    yield user_id, learner_id
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM users WHERE id = :id"), {"id": user_id})
