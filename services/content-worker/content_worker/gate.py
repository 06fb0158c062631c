"""Admission to the model: budget first, then the shared rate limits, then the call.

`ModelGate.admit` blocks while the wait is short, and raises `Deferred` when it is long, so the
job gives its worker slot back and comes back later (see `ailp.jobs.runner`). Whatever happens
to the call, `settle` turns the reservations into what was really used. If the budget's database
or the limits' Redis cannot be reached, nothing is spent: the call is refused and the learner
gets fallback content.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import redis
from sqlalchemy.exc import SQLAlchemyError

from ailp import metrics
from ailp.config import Settings
from ailp.db.engine import autocommit_connection, session_scope, transaction
from ailp.jobs.runner import Deferred
from ailp.logging import get_logger
from ailp.redis import get_redis
from content_worker.budget import (
    LAST_CALL,
    BudgetReservation,
    BudgetSpent,
    BudgetWait,
    DailyBudget,
)
from content_worker.domain import FallbackReason, ModelUnavailable, allowance_notice
from content_worker.limits import LimitsLost, ModelRateLimiter, Reservation, parse_reset

log = get_logger(__name__)


BUDGET_POLL_SECONDS = 0.25
BUDGET_RETRY_SECONDS = 5.0
SPEND_GAUGE_SECONDS = 15.0
# Calls are spread evenly over the limits' window, with bursts of up to this share of it at
# once (a sixtieth: 10 calls at once at 600 RPM, a second's worth). Without the even schedule a
# backlog spends the whole window's allowance in its first seconds and then waits for the rest
# of it, which sends every later job back to the queue; providers also enforce per-minute
# limits over shorter periods.
BURST_SHARE = 60
# A job only takes a turn to come back for the limits if its deadline leaves at least this long
# after it (else it falls back now; see `model_client.complete`).
MIN_RETURN_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class CallContext:
    """Who a model call is for and by when it must be over (a `time.monotonic()` instant)."""

    user_id: int | None
    job_id: uuid.UUID | None
    deadline: float

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


@dataclass(frozen=True, slots=True)
class Admission:
    limit: Reservation
    budget: BudgetReservation


def estimate_prompt_tokens(messages: list[dict[str, str]]) -> int:
    """A deliberately high estimate (≈ 3 characters per token plus per-message overhead)."""
    return sum(math.ceil(len(message["content"]) / 3) + 8 for message in messages) + 16


class ModelGate:
    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        *,
        sleep: Callable[[float], None] = time.sleep,
        budget: DailyBudget | None = None,
    ) -> None:
        self.settings = settings
        self.limiter = ModelRateLimiter(
            client,
            requests=settings.openai_rpm_limit,
            tokens=settings.openai_tpm_limit,
            window_seconds=settings.openai_limit_window_seconds,
            burst=max(1, settings.openai_rpm_limit // BURST_SHARE),
        )
        self.budget = budget or DailyBudget(
            budget_usd=settings.openai_daily_budget_usd,
            user_budget_usd=settings.openai_user_daily_budget_usd,
        )
        self._price = settings.model_price(settings.openai_model)
        self._sleep = sleep
        self._observed_at = -SPEND_GAUGE_SECONDS

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (
            input_tokens / 1000 * self._price["input"]
            + output_tokens / 1000 * self._price["output"]
        )

    def admit(
        self, call: CallContext, prompt_tokens: int, max_tokens: int, *, hold_seconds: float
    ) -> Admission:
        """Take the call's place in the shared limits, then reserve its worst case in the budget
        (held at most `hold_seconds`, after which a reservation nobody settled counts as spent).

        Limits first: every reservation in the database then belongs to a call the limits let
        through, which is what re-seeding lost limits needs to know. A budget already spent for
        today is found before waiting for anything.
        """
        cost = self.cost(prompt_tokens, max_tokens)
        try:
            with autocommit_connection() as session:  # one read
                self.budget.check_not_spent(session, cost_usd=cost, user_id=call.user_id)
        except BudgetSpent as exc:
            raise self._spent(exc) from exc
        except SQLAlchemyError as exc:
            raise ModelUnavailable(
                FallbackReason.limiter_unavailable, f"budget database: {exc}"
            ) from exc
        try:
            limit = self._wait_for_limits(call, prompt_tokens + max_tokens)
        except (redis.RedisError, OSError, SQLAlchemyError) as exc:
            raise ModelUnavailable(FallbackReason.limiter_unavailable, f"limits: {exc}") from exc
        try:
            budget = self._reserve_budget(call, cost, hold_seconds)
        except BaseException as exc:
            self._release_limit(limit)
            if isinstance(exc, SQLAlchemyError):
                raise ModelUnavailable(
                    FallbackReason.limiter_unavailable, f"budget database: {exc}"
                ) from exc
            raise
        return Admission(limit, budget)

    def _release_limit(self, limit: Reservation) -> None:
        try:
            self.limiter.settle(limit, 0)
        except (redis.RedisError, OSError) as exc:
            log.warning("model_limit_not_released", error=str(exc))

    def _reserve_budget(
        self, call: CallContext, cost: float, hold_seconds: float
    ) -> BudgetReservation:
        """The budget for one call; waits while calls in flight may still give budget back."""
        waited = 0.0
        while True:
            try:
                with transaction() as connection:
                    return self.budget.try_reserve(
                        connection,
                        cost_usd=cost,
                        user_id=call.user_id,
                        job_id=call.job_id,
                        hold_seconds=hold_seconds,
                    )
            except BudgetWait as exc:
                if waited >= self.settings.openai_max_inline_wait_seconds:
                    raise Deferred(BUDGET_RETRY_SECONDS, f"budget: {exc}") from exc
                self._sleep(BUDGET_POLL_SECONDS)
                waited += BUDGET_POLL_SECONDS
            except BudgetSpent as exc:
                raise self._spent(exc) from exc

    def _spent(self, exc: BudgetSpent) -> ModelUnavailable:
        self._observe_budget(force=True)
        if exc.user:
            return ModelUnavailable(
                FallbackReason.user_allowance_exhausted,
                "the user's daily allowance is used up",
                notice=allowance_notice(exc.renews_at),
            )
        return ModelUnavailable(FallbackReason.budget_exhausted, "the daily budget is spent")

    def _wait_for_limits(self, call: CallContext, tokens: int) -> Reservation:
        waited = 0.0
        inline = self.settings.openai_max_inline_wait_seconds
        try:
            while True:
                try:
                    reservation, wait = self.limiter.try_reserve(
                        tokens, max_delay=max(0.0, inline - waited)
                    )
                except LimitsLost:
                    self._reseed_limits()
                    continue
                if reservation is not None:
                    if wait > 0:  # its place on the even schedule
                        self._sleep(wait)
                        waited += wait
                    return reservation
                if waited + wait > inline:
                    turn = self.limiter.come_back_in(
                        wait, latest_seconds=call.remaining() - MIN_RETURN_SECONDS
                    )
                    raise Deferred(turn, "waiting for the shared model rate limits")
                self._sleep(wait)
                waited += wait
        finally:
            if waited:
                metrics.LIMITER_WAIT.observe(waited)

    def _reseed_limits(self) -> None:
        """Redis lost the limits' state: wait until a window has passed since the last call the
        database knows of (a call in flight, or the last one settled)."""
        with session_scope() as session:
            last, now = session.execute(LAST_CALL).one()
        pause = 0.0 if last is None else (last - now).total_seconds() + self.limiter.window_seconds
        log.warning("model_limits_reseeded", pause_seconds=round(max(0.0, pause), 2))
        self.limiter.reseed(max(0.0, pause))

    def settle(self, admission: Admission, input_tokens: int, output_tokens: int) -> float:
        """Record what a call really used; returns its cost. Never raises."""
        cost = self.cost(input_tokens, output_tokens)
        try:
            self.limiter.settle(admission.limit, input_tokens + output_tokens)
        except (redis.RedisError, OSError) as exc:
            log.warning("model_usage_not_settled", error=str(exc))
        self._settle_budget(admission.budget, cost)
        return cost

    def _settle_budget(self, reservation: BudgetReservation, cost: float) -> None:
        """Never raises: a reservation left unsettled expires and counts at its worst case."""
        try:
            with autocommit_connection() as session:  # one statement
                self.budget.settle(session, reservation, cost)
            self._observe_budget()
        except SQLAlchemyError as exc:
            log.warning("model_spend_not_settled", error=str(exc))

    def slow_down(self, seconds: float) -> None:
        """Every replica pauses (after a 429)."""
        try:
            self.limiter.cool_down(seconds)
        except (redis.RedisError, OSError) as exc:
            log.warning("model_cool_down_not_shared", error=str(exc))

    def read_headers(self, headers: Mapping[str, str]) -> None:
        """Honour the server's own view: nothing left → everyone waits for its reset."""
        for kind in ("requests", "tokens"):
            remaining = headers.get(f"x-ratelimit-remaining-{kind}")
            if remaining is not None and remaining.strip() == "0":
                reset = parse_reset(headers.get(f"x-ratelimit-reset-{kind}"))
                if reset:
                    self.slow_down(reset)

    def _observe_budget(self, *, force: bool = False) -> None:
        """Refresh the spend gauges (at most every `SPEND_GAUGE_SECONDS` unless `force`d: a
        scrape every 15 s or more needs no fresher figure than that)."""
        now = time.monotonic()
        if not force and now - self._observed_at < SPEND_GAUGE_SECONDS:
            return
        self._observed_at = now
        with autocommit_connection() as session:
            spent = self.budget.spent_today_usd(session)
        metrics.SPEND_TODAY.set(spent)
        metrics.BUDGET_REMAINING.set(max(0.0, self.budget.budget_usd - spent))


_gate: ModelGate | None = None
_gate_lock = threading.Lock()


def get_gate(settings: Settings) -> ModelGate:
    global _gate
    with _gate_lock:
        if _gate is None:
            _gate = ModelGate(settings, get_redis())
        return _gate
