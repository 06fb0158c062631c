"""The daily model budget and the per-user allowance, kept in PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from content_worker import budget as budget_module
from content_worker.budget import BudgetSpent, BudgetWait, DailyBudget
from tests.support.database import create_database, drop_database

HOLD = 60.0


def _user(db: Session) -> int:
    name = f"u{uuid.uuid4().hex[:12]}"
    return int(
        db.execute(
            text(
                "INSERT INTO users (username, email, password_hash) "
                "VALUES (:name, :name || '@example.com', 'x') RETURNING id"
            ),
            {"name": name},
        ).scalar_one()
    )


def _reserve(db: Session, budget: DailyBudget, cost: float, user_id: int | None = None):  # type: ignore[no-untyped-def]
    return budget.try_reserve(db, cost_usd=cost, user_id=user_id, job_id=None, hold_seconds=HOLD)


def test_reserve_wait_settle_and_spent(db: Session) -> None:
    budget = DailyBudget(budget_usd=1.00, user_budget_usd=10.0)
    first = _reserve(db, budget, 0.60)
    with pytest.raises(BudgetWait):  # 1.10 would overshoot, unless the first call costs less
        _reserve(db, budget, 0.50)
    budget.settle(db, first, 0.20)  # it did: its real cost was lower
    second = _reserve(db, budget, 0.50)
    assert budget.spent_today_usd(db) == pytest.approx(0.70)
    budget.settle(db, second, 0.50)
    with pytest.raises(BudgetSpent) as spent:  # nothing in flight: spent for today
        _reserve(db, budget, 0.31)
    assert not spent.value.user
    assert spent.value.renews_at.hour == 0 and spent.value.renews_at.tzinfo is not None


def test_one_users_allowance_does_not_stop_the_others(db: Session) -> None:
    budget = DailyBudget(budget_usd=10.0, user_budget_usd=0.10)
    greedy, other = _user(db), _user(db)
    budget.settle(db, _reserve(db, budget, 0.08, greedy), 0.08)
    with pytest.raises(BudgetSpent) as spent:
        _reserve(db, budget, 0.05, greedy)
    assert spent.value.user
    assert _reserve(db, budget, 0.05, other)  # someone else still gets model content


def test_a_settlement_lands_on_the_day_it_was_reserved(db: Session) -> None:
    budget = DailyBudget(budget_usd=1.0, user_budget_usd=1.0)
    reservation = _reserve(db, budget, 0.50)
    db.execute(text("UPDATE model_reservations SET day = day - 1"))
    db.execute(
        text(
            "INSERT INTO model_spend_days (day, reserved_micro) VALUES "
            "(CAST(now() AT TIME ZONE 'UTC' AS date) - 1, 500000)"
        )
    )
    budget.settle(db, reservation, 0.30)  # a call reserved before midnight, settled after it
    rows = dict(db.execute(text("SELECT day, spent_micro FROM model_spend_days")).all())
    assert sorted(rows.values()) == [0, 300_000]


def test_a_dead_workers_reservation_counts_as_spent_and_holds_nobody_back(db: Session) -> None:
    """R12: a reservation never settled used to hold others back for up to 600 s."""
    budget = DailyBudget(budget_usd=1.00, user_budget_usd=10.0)
    _reserve(db, budget, 0.90)  # its worker dies before settling
    db.execute(text("UPDATE model_reservations SET expires_at = now() - interval '1 second'"))
    with pytest.raises(BudgetSpent):  # its worst case stays spent; nothing to wait for
        _reserve(db, budget, 0.50)
    assert _reserve(db, budget, 0.10)


@pytest.fixture
def fresh_engine() -> Iterator[Engine]:
    """A database of its own: the day's rows are global, and this test commits them."""
    url = create_database("ailp_budget")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    yield engine
    engine.dispose()
    drop_database(url)


def test_concurrent_reservations_do_not_overshoot(fresh_engine: Engine) -> None:
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(12, timeout=30)

    def reserve() -> None:
        budget = DailyBudget(budget_usd=0.10, user_budget_usd=1.0)
        with Session(fresh_engine) as session:
            start.wait()
            try:
                _reserve(session, budget, 0.03)
                outcome = "granted"
            except BudgetWait:
                outcome = "wait"  # the granted calls may still settle below their reservations
            session.commit()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=reserve) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("granted") == 3  # 3 × 0.03 ≤ 0.10 < 4 × 0.03
    assert results.count("wait") == 9


def test_concurrent_reserve_and_settle_cycles_keep_the_books_without_deadlocks(
    fresh_engine: Engine,
) -> None:
    """Settling is one statement that touches the day's platform row and then the user's: many
    workers reserving (platform row, then user row) and settling at once on the same rows must
    neither deadlock nor lose a micro-dollar."""
    with Session(fresh_engine) as session:
        users = [_user(session) for _ in range(3)]
        session.commit()
    autocommit = fresh_engine.execution_options(isolation_level="AUTOCOMMIT")
    errors: list[BaseException] = []
    settled: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(8, timeout=30)

    def work(worker: int) -> None:
        budget = DailyBudget(budget_usd=1000.0, user_budget_usd=1000.0)
        start.wait()
        try:
            for cycle in range(40):
                user_id = users[(worker + cycle) % len(users)]
                with Session(fresh_engine) as session:
                    reservation = _reserve(session, budget, 0.05, user_id)
                    session.commit()
                with Session(autocommit) as session:
                    budget.settle(session, reservation, 0.01)
                with lock:
                    settled.append(10_000)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:1]
    with fresh_engine.connect() as connection:
        platform = connection.execute(
            text("SELECT sum(spent_micro), sum(reserved_micro) FROM model_spend_days")
        ).one()
        per_user = connection.execute(
            text("SELECT sum(spent_micro), sum(reserved_micro) FROM user_model_spend_days")
        ).one()
        left = connection.execute(text("SELECT count(*) FROM model_reservations")).scalar_one()
    assert tuple(platform) == (sum(settled), 0) == tuple(per_user)
    assert left == 0
    assert len(settled) == 8 * 40


def test_a_reservation_locks_both_rows_in_one_round_trip(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's platform row and the user's were locked by two statements: a round trip more
    for every model call."""
    budget = DailyBudget(budget_usd=10.0, user_budget_usd=1.0)
    user = _user(db)
    budget.settle(db, _reserve(db, budget, 0.01, user), 0.01)  # today's rows exist
    statements: list[str] = []
    direct_run = budget_module.run

    def counted(executor: Any, statement: Any, params: Any = None) -> Any:
        statements.append(statement.sql)
        return direct_run(executor, statement, params)

    monkeypatch.setattr(budget_module, "run", counted)
    connection = db.connection()
    listener = lambda *args: statements.append(args[2])  # noqa: E731 (conn, cursor, statement, …)
    event.listen(connection, "before_cursor_execute", listener)
    try:
        _reserve(db, budget, 0.01, user)
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    assert len(statements) == 2  # the rows, locked; the reservation
    assert "FOR UPDATE" in statements[0] and "model_reservations" in statements[1]
