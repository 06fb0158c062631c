"""Fit and store: from the platform's responses or a file, by hand or on a schedule."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import text

from ailp.config import Settings
from ailp.db.engine import get_engine, session_scope
from ailp.learner_model import metrics
from ailp.learner_model.answers import CSV_HEADER, AnswerLog, read_csv, read_dkt, read_platform
from ailp.learner_model.fitting import FitOptions, FitResult, fit
from ailp.learner_model.store import save_version
from ailp.logging import get_logger

log = get_logger(__name__)

FIT_LOCK_ID = 727_012  # a Postgres advisory lock: one fit at a time across every process
SCHEDULE_CHECK_SECONDS = 300.0  # how often the schedule looks whether a fit is due
# Reading every response sorts the whole table; the services' statement timeout is for requests.
READ_STATEMENT_TIMEOUT = "15min"

FileFormat = Literal["auto", "dkt", "csv"]


@dataclass(frozen=True)
class StoredFit:
    version_id: int
    fitted_at: datetime
    result: FitResult


def options_from(settings: Settings) -> FitOptions:
    return FitOptions(
        min_responses=settings.learner_model_min_responses,
        held_out_share=settings.learner_model_held_out_share,
    )


def read_file(path: Path, file_format: FileFormat = "auto") -> AnswerLog:
    if file_format == "auto":
        with path.open(encoding="utf-8") as handle:
            first = handle.readline().strip().lower()
        header = tuple(field.strip() for field in first.split(","))
        file_format = "csv" if header == CSV_HEADER else "dkt"
    return read_csv(path) if file_format == "csv" else read_dkt(path)


def fit_and_store(answers: AnswerLog, options: FitOptions, *, source: str) -> StoredFit:
    """Fit (outside any transaction: it takes seconds), then store the version in one."""
    result = fit(answers, options, source=source)
    with session_scope() as session:
        version_id, fitted_at = save_version(session, result.version)
    metrics.record(result, version_id)
    evaluation = result.evaluation
    log.info(
        "learner_model_fitted",
        version=version_id,
        source=source,
        answers=answers.answers,
        concepts_fitted=len(result.parameters),
        auc=evaluation.auc,
        baseline_auc=evaluation.baseline_auc,
        log_loss=evaluation.log_loss,
        held_out_answers=evaluation.held_out_answers,
        seconds=round(result.version.duration_seconds, 2),
    )
    return StoredFit(version_id, fitted_at, result)


def read_platform_answers() -> AnswerLog:
    with session_scope() as session:
        session.execute(text(f"SET LOCAL statement_timeout = '{READ_STATEMENT_TIMEOUT}'"))
        return read_platform(session)


def fit_platform(settings: Settings, *, source: str = "platform") -> StoredFit | None:
    """Fit from every response on the platform; None when there are none yet."""
    answers = read_platform_answers()
    if answers.answers == 0:
        return None
    return fit_and_store(answers, options_from(settings), source=source)


_DUE = text(
    """
    SELECT coalesce(max(fitted_at) <= now() - make_interval(secs => :seconds), true)
           AND EXISTS (SELECT 1 FROM exercise_responses)
    FROM learner_model_versions
    """
)


def run_scheduled_fit_if_due(settings: Settings) -> bool:
    """Fit from the platform's responses when the newest version is older than
    LEARNER_MODEL_FIT_INTERVAL_HOURS (or there is none) and there are answers; True if it did.

    A session-level advisory lock makes one process fit at a time; the others return False at
    once. Due-ness is judged by the database's clock, like everything that orders events.
    """
    interval_hours = settings.learner_model_fit_interval_hours
    if interval_hours <= 0:
        return False
    with get_engine().connect() as raw:
        # Autocommit: the lock is held across the fit without an open transaction.
        connection = raw.execution_options(isolation_level="AUTOCOMMIT")
        if not connection.execute(
            text("SELECT pg_try_advisory_lock(:id)"), {"id": FIT_LOCK_ID}
        ).scalar():
            return False
        try:
            if not connection.execute(_DUE, {"seconds": interval_hours * 3600}).scalar():
                return False
            try:
                stored = fit_platform(settings, source="platform (scheduled)")
            except Exception:
                metrics.FITS.labels(outcome="failed").inc()
                raise
            return stored is not None
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": FIT_LOCK_ID})


def start_fit_schedule(settings: Settings, stop: threading.Event) -> threading.Thread:
    """Run `run_scheduled_fit_if_due` every few minutes on a daemon thread until `stop` is set,
    so that a fit (seconds to a minute) never delays the caller's own loop (the sweeper's, whose
    /metrics then carries the fit's ailp_learner_model_fit_* figures)."""

    def loop() -> None:
        while not stop.is_set():
            try:
                run_scheduled_fit_if_due(settings)
            except Exception as exc:  # e.g. the database is restarting; try again later
                log.warning("scheduled_fit_failed", error=str(exc))
            stop.wait(SCHEDULE_CHECK_SECONDS)

    thread = threading.Thread(target=loop, name="learner-model-fit", daemon=True)
    thread.start()
    return thread
