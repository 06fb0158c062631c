"""Model spend per UTC day, for the platform (`OPENAI_DAILY_BUDGET_USD`) and for each user
(`OPENAI_USER_DAILY_BUDGET_USD`), kept in PostgreSQL.

A call reserves its worst-case cost (prompt estimate at the input price + max_tokens at the
output price) before it is made and settles to its real cost after. The reservation checks and
takes both the platform's and the user's room in one transaction, serialised on the day's
platform row, so replicas cannot overshoot together; since every reservation is an upper bound,
the day's spend never passes the budget by more than one call (and only if a prompt estimate were
too low). PostgreSQL is the truth, so losing Redis data (a flush, a restart without persistence,
a failover) changes nothing here. The day is the database's (`current_date` in UTC).

A reservation that does not fit while other calls are in flight is not a verdict: their real
costs are usually far below their reservations, so the caller is told to wait (`BudgetWait`).
A reservation whose worker died is never settled; once it expires (shortly after its call's own
deadline) its worst case is counted as spent and it holds nobody back any longer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, text

from ailp.db.direct import DirectStatement, run
from ailp.db.rows import Executor

MICRO = 1_000_000


def to_micro(usd: float) -> int:
    return round(usd * MICRO)


@dataclass(frozen=True, slots=True)
class BudgetReservation:
    id: uuid.UUID
    day: date
    micro: int


class BudgetWait(Exception):
    """Not enough room unless calls in flight settle below their reservations."""


class BudgetSpent(Exception):
    """No room left today: the platform's budget, or (`user`) the user's own allowance."""

    def __init__(self, *, user: bool, renews_at: datetime) -> None:
        super().__init__("the user's daily allowance is used up" if user else "the budget is spent")
        self.user = user
        self.renews_at = renews_at


# Lock order, for every writer: a day's platform row before any user row of that day, and days
# in ascending order; each statement below touches one kind of row, so the order is the
# statements' order (one statement touching both in independent parts would leave it to the
# planner: deadlocks), except `_SETTLE`, whose user update depends on its platform update.

# Expired reservations (their worker died): gone, and counted as spent at their worst case.
_EXPIRE = text(
    "DELETE FROM model_reservations WHERE expires_at < now() RETURNING day, user_id, micro"
)
# The same for `:day` only: for a writer already holding that day's platform row, so that it
# locks no earlier day's row after a later one.
_EXPIRE_DAY = text(
    "DELETE FROM model_reservations WHERE expires_at < now() AND day = :day "
    "RETURNING day, user_id, micro"
)
_SPEND_PLATFORM = text(
    """
    UPDATE model_spend_days
    SET reserved_micro = reserved_micro - :reserved, spent_micro = spent_micro + :spent,
        last_call_at = now()
    WHERE day = :day
    """
)
_SPEND_USER = text(
    """
    UPDATE user_model_spend_days
    SET reserved_micro = reserved_micro - :reserved, spent_micro = spent_micro + :spent
    WHERE user_id = :user_id AND day = :day
    """
)

# Today's rows, created by the day's first call (the platform's first).
_TODAY = text(
    "INSERT INTO model_spend_days (day) VALUES (CAST(now() AT TIME ZONE 'UTC' AS date)) "
    "ON CONFLICT DO NOTHING"
)
_TODAY_FOR_USER = text(
    "INSERT INTO user_model_spend_days (user_id, day) VALUES (:user_id, :day) "
    "ON CONFLICT DO NOTHING"
)
# Today's platform row and the user's, locked in that order (none yet: the day's first call
# creates the platform's with `_TODAY`; the user's first call of the day creates its own with
# `_TODAY_FOR_USER`, then `_LOCK_USER`). The user's row is looked up by the locked platform row's
# day, so it is locked after it (a data dependency), in one round trip.
_LOCK_TODAY = DirectStatement(
    """
    WITH platform AS (
        SELECT day, CAST(day + 1 AS timestamp) AT TIME ZONE 'UTC' AS renews_at,
               spent_micro, reserved_micro
        FROM model_spend_days WHERE day = CAST(now() AT TIME ZONE 'UTC' AS date) FOR UPDATE
    )
    SELECT platform.*, mine.spent_micro AS user_spent, mine.reserved_micro AS user_reserved
    FROM platform LEFT JOIN LATERAL (
        SELECT spent_micro, reserved_micro FROM user_model_spend_days
        WHERE user_id = :user_id AND day = platform.day FOR UPDATE
    ) mine ON true
    """
)
_LOCK_USER = text(
    "SELECT spent_micro, reserved_micro FROM user_model_spend_days "
    "WHERE user_id = :user_id AND day = :day FOR UPDATE"
)
_RESERVE = DirectStatement(
    """
    WITH reservation AS (
        INSERT INTO model_reservations (id, day, user_id, job_id, micro, expires_at)
        VALUES (:id, :day, :user_id, :job_id, :micro, now() + make_interval(secs => :hold))
    ),
    platform AS (
        UPDATE model_spend_days
        SET reserved_micro = reserved_micro + :micro, updated_at = now()
        WHERE day = :day
    )
    UPDATE user_model_spend_days SET reserved_micro = reserved_micro + :micro
    WHERE user_id = :user_id AND day = :day
    """
)
# Today's rooms without locking anything (a quick look before waiting for the rate limits).
_ROOMS = DirectStatement(
    """
    WITH today AS (SELECT CAST(now() AT TIME ZONE 'UTC' AS date) AS day)
    SELECT CAST(today.day + 1 AS timestamp) AT TIME ZONE 'UTC' AS renews_at,
           coalesce(p.spent_micro, 0) AS platform_spent,
           coalesce(p.reserved_micro, 0) AS platform_reserved,
           coalesce(u.spent_micro, 0) AS user_spent,
           coalesce(u.reserved_micro, 0) AS user_reserved
    FROM today
    LEFT JOIN model_spend_days p ON p.day = today.day
    LEFT JOIN user_model_spend_days u ON u.day = today.day AND u.user_id = :user_id
    """
)
# A call's reservation replaced by its real cost, in one statement. The lock order holds: the
# user row is updated only for a row the platform update returned, so after the platform row
# was locked (a data dependency, not the planner's choice of order).
_SETTLE = DirectStatement(
    """
    WITH settled AS (
        DELETE FROM model_reservations WHERE id = :id RETURNING day, user_id, micro
    ),
    platform AS (
        UPDATE model_spend_days p
        SET reserved_micro = p.reserved_micro - settled.micro,
            spent_micro = p.spent_micro + :actual, last_call_at = now()
        FROM settled WHERE p.day = settled.day
        RETURNING settled.day, settled.user_id, settled.micro
    )
    UPDATE user_model_spend_days u
    SET reserved_micro = u.reserved_micro - platform.micro,
        spent_micro = u.spent_micro + :actual
    FROM platform WHERE u.user_id = platform.user_id AND u.day = platform.day
    """
)


@dataclass(frozen=True, slots=True)
class Room:
    """One budget's state: what it allows, what is spent, what calls in flight hold."""

    budget: int
    spent: int
    reserved: int

    def verdict(self, cost: int) -> str:
        """'fits', 'wait' (only if calls in flight settle low) or 'spent'."""
        if self.spent + self.reserved + cost <= self.budget:
            return "fits"
        if self.reserved and self.spent + cost <= self.budget:
            return "wait"
        return "spent"


class DailyBudget:
    # Expired reservations are cleared when a reservation does not fit, and at least this often.
    EXPIRE_EVERY_SECONDS = 30.0

    def __init__(self, *, budget_usd: float, user_budget_usd: float) -> None:
        self.budget_micro = to_micro(budget_usd)
        self.user_budget_micro = to_micro(user_budget_usd)
        self._expired_at = -self.EXPIRE_EVERY_SECONDS  # time.monotonic() of the last clearing

    def try_reserve(
        self,
        session: Executor,
        *,
        cost_usd: float,
        user_id: int | None,
        job_id: uuid.UUID | None,
        hold_seconds: float,
    ) -> BudgetReservation:
        """Reserve `cost_usd` of today's platform budget and of the user's allowance, in the
        caller's transaction (commit it at once: the day's row stays locked until then).

        Raises `BudgetWait` (maybe soon) or `BudgetSpent` (not today).
        """
        cost = to_micro(cost_usd)
        if time.monotonic() - self._expired_at > self.EXPIRE_EVERY_SECONDS:
            _count_as_spent(session, session.execute(_EXPIRE).all(), actual=None)
            self._expired_at = time.monotonic()
        verdicts, day, renews_at = self._verdicts(session, cost, user_id)
        if any(verdict != "fits" for _, verdict in verdicts):
            # Reservations of dead workers may hold the room: count today's as spent (this
            # transaction holds today's row already), look again.
            expired = session.execute(_EXPIRE_DAY, {"day": day}).all()
            if expired:
                _count_as_spent(session, expired, actual=None)
                verdicts, day, renews_at = self._verdicts(session, cost, user_id)
        for user, verdict in verdicts:
            if verdict == "spent":
                raise BudgetSpent(user=user, renews_at=renews_at)
        if any(verdict == "wait" for _, verdict in verdicts):
            raise BudgetWait("calls in flight hold the rest of the budget")
        reservation = BudgetReservation(uuid.uuid4(), day, cost)
        run(
            session,
            _RESERVE,
            {
                "id": reservation.id,
                "day": day,
                "user_id": user_id,
                "job_id": job_id,
                "micro": cost,
                "hold": hold_seconds,
            },
        )
        return reservation

    def _verdicts(
        self, session: Executor, cost: int, user_id: int | None
    ) -> tuple[list[tuple[bool, str]], date, datetime]:
        """Lock today's platform row, then the user's (creating them on the day's first call),
        and say for each (user's first) whether `cost` fits."""
        platform = next(iter(run(session, _LOCK_TODAY, {"user_id": user_id})), None)
        if platform is None:
            session.execute(_TODAY)
            (platform,) = run(session, _LOCK_TODAY, {"user_id": user_id})
        day = platform.day
        rooms = [(False, Room(self.budget_micro, platform.spent_micro, platform.reserved_micro))]
        if user_id is not None:
            spent, reserved = platform.user_spent, platform.user_reserved
            if spent is None:
                session.execute(_TODAY_FOR_USER, {"user_id": user_id, "day": day})
                mine = session.execute(_LOCK_USER, {"user_id": user_id, "day": day}).one()
                spent, reserved = mine.spent_micro, mine.reserved_micro
            rooms.insert(0, (True, Room(self.user_budget_micro, spent, reserved)))
        return [(user, room.verdict(cost)) for user, room in rooms], day, platform.renews_at

    def check_not_spent(self, session: Executor, *, cost_usd: float, user_id: int | None) -> None:
        """Raise `BudgetSpent` if the platform's budget or the user's allowance has no room for
        this call today even if every call in flight cost nothing; locks nothing."""
        (rooms,) = run(session, _ROOMS, {"user_id": user_id})
        cost = to_micro(cost_usd)
        if user_id is not None:
            mine = Room(self.user_budget_micro, rooms.user_spent, rooms.user_reserved)
            if mine.verdict(cost) == "spent":
                raise BudgetSpent(user=True, renews_at=rooms.renews_at)
        platform = Room(self.budget_micro, rooms.platform_spent, rooms.platform_reserved)
        if platform.verdict(cost) == "spent":
            raise BudgetSpent(user=False, renews_at=rooms.renews_at)

    @staticmethod
    def settle(session: Executor, reservation: BudgetReservation, actual_usd: float) -> None:
        """Replace the reserved worst case by the real cost, on the day it was reserved, in one
        statement (an autocommit connection commits it alone). A reservation that already
        expired (counted at its worst case) is left as it is."""
        run(session, _SETTLE, {"id": reservation.id, "actual": to_micro(actual_usd)})

    def spent_today_usd(self, session: Executor) -> float:
        spent = session.scalar(
            text(
                "SELECT spent_micro + reserved_micro FROM model_spend_days "
                "WHERE day = CAST(now() AT TIME ZONE 'UTC' AS date)"
            )
        )
        return int(spent or 0) / MICRO

    @property
    def budget_usd(self) -> float:
        return self.budget_micro / MICRO


def _count_as_spent(
    session: Executor, reservations: Sequence[Row[Any]], *, actual: int | None
) -> None:
    """Move deleted reservations from reserved to spent (at `actual`, else at their worst case),
    platform rows first, in day order, then the users' rows."""
    platform: dict[date, tuple[int, int]] = {}
    users: dict[tuple[int, date], tuple[int, int]] = {}
    for row in reservations:
        spent = row.micro if actual is None else actual
        reserved_before, spent_before = platform.get(row.day, (0, 0))
        platform[row.day] = (reserved_before + row.micro, spent_before + spent)
        if row.user_id is not None:
            reserved_before, spent_before = users.get((row.user_id, row.day), (0, 0))
            users[(row.user_id, row.day)] = (reserved_before + row.micro, spent_before + spent)
    for day in sorted(platform):
        reserved, spent = platform[day]
        session.execute(_SPEND_PLATFORM, {"day": day, "reserved": reserved, "spent": spent})
    for user_id, day in sorted(users):
        reserved, spent = users[(user_id, day)]
        session.execute(
            _SPEND_USER, {"user_id": user_id, "day": day, "reserved": reserved, "spent": spent}
        )


# The newest moment a model call was let through the shared rate limits (its reservation) or
# finished, for re-seeding the limits after Redis lost them (`content_worker.limits`).
LAST_CALL = text(
    """
    SELECT greatest(
        (SELECT max(created_at) FROM model_reservations),
        (SELECT max(last_call_at) FROM model_spend_days)
    ) AS last, now() AS now
    """
)
