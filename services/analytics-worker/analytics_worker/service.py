"""One analytics job: aggregate, apply the formulas, store the result and refresh the learner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ailp.config import get_settings
from ailp.db.rows import Executor, table_of
from ailp.jobs.lifecycle import Claim
from ailp.jobs.runner import JobOutcome, PermanentJobError
from ailp.models import AnalyticsResult, Learner
from analytics_worker import formulas, learner_model, queries
from analytics_worker.parameters import ParameterCache
from analytics_worker.recommendations import recommend

TOP_GAPS_IN_STATE = 10

_parameters = ParameterCache(get_settings().learner_model_refresh_seconds)


def compute(claim: Claim, session: Session) -> JobOutcome:
    """Read and compute one learner's analytics on `session`; return what to store."""
    days = int(claim.params.get("days", 30))
    # Without an as_of the job computes as of its creation; every time is the database's clock.
    as_of = _parse_as_of(claim.params.get("as_of")) or claim.created_at
    found = session.execute(
        select(Learner.experience_level, func.now()).where(Learner.id == claim.learner_id)
    ).first()
    if found is None:
        raise PermanentJobError("learner_not_found", "The learner was deleted.")
    level, computed_at = found
    aggregates = queries.session_aggregates(
        session, learner_id=claim.learner_id, as_of=as_of, days=days
    )
    answers = queries.wrong_answers_by_concept(
        session, learner_id=claim.learner_id, as_of=as_of, days=days
    )
    changed, concepts = _learner_model(session, claim.learner_id, as_of)
    velocity = formulas.velocity(aggregates, days)
    gaps = formulas.knowledge_gaps(answers, level)
    recommendations = recommend(gaps, concepts, as_of)
    concepts = [_serialized(entry) for entry in concepts]
    result: dict[str, Any] = {
        "learner_id": claim.learner_id,
        "as_of": _iso(as_of),
        "window_days": days,
        "velocity": velocity,
        "knowledge_gaps": gaps,
        "mastery": concepts,
        "recommendations": recommendations,
        "computed_at": _iso(computed_at),
    }

    rows = AnalyticsRows(
        learner_id=claim.learner_id,
        result_row={
            "id": uuid.uuid4(),
            "learner_id": claim.learner_id,
            "job_id": claim.job_id,
            "as_of": as_of,
            "window_days": days,
            "result": result,
            "computed_at": computed_at,
        },
        engagement_metrics={**velocity, "as_of": result["as_of"], "window_days": days},
        knowledge_state=_knowledge_state(gaps, concepts, result["as_of"]),
        states=changed,
    )
    return JobOutcome(
        result=result, result_url=f"/api/learners/{claim.learner_id}/analytics", rows=rows
    )


@dataclass(frozen=True, slots=True)
class AnalyticsRows:
    """What one analytics job writes besides its job row."""

    learner_id: int
    result_row: dict[str, Any]
    engagement_metrics: dict[str, Any]
    knowledge_state: dict[str, Any]
    states: list[learner_model.ConceptState]


def store_many(session: Executor, outcomes: list[JobOutcome]) -> None:
    """Store many jobs' outputs in three statements (results, learners, concept states).

    When one batch holds several jobs of one learner, the figures of the latest `as_of` and the
    newest concept states win.
    """
    rows: list[AnalyticsRows] = [outcome.rows for outcome in outcomes]
    if not rows:
        return
    session.execute(insert(table_of(AnalyticsResult)), [row.result_row for row in rows])
    latest: dict[int, AnalyticsRows] = {}
    for row in rows:
        kept = latest.get(row.learner_id)
        if kept is None or kept.result_row["as_of"] <= row.result_row["as_of"]:
            latest[row.learner_id] = row
    queries.update_learners(
        session,
        {
            learner_id: (row.result_row["as_of"], row.engagement_metrics, row.knowledge_state)
            for learner_id, row in latest.items()
        },
    )
    newest: dict[tuple[int, str], tuple[int, learner_model.ConceptState]] = {}
    for row in rows:
        for state in row.states:
            key = (row.learner_id, state.concept)
            if key not in newest or newest[key][1].through_id <= state.through_id:
                newest[key] = (row.learner_id, state)
    queries.save_states_many(session, [newest[key] for key in sorted(newest)])


def _learner_model(
    session: Session, learner_id: int, as_of: datetime
) -> tuple[list[learner_model.ConceptState], list[dict[str, Any]]]:
    """Continue the stored per-concept states with new answers; mastery entries up to `as_of`."""
    stored = queries.load_states(session, learner_id=learner_id)
    params = _parameters.current(
        session,
        seen_version=max(
            (s.params_version for s in stored.values() if s.params_version is not None),
            default=None,
        ),
    )
    watermark = max((state.through_id for state in stored.values()), default=0)
    deltas = queries.answers_since(session, learner_id=learner_id, after=watermark)
    replay = queries.histories(
        session,
        learner_id=learner_id,
        concepts=learner_model.concepts_to_replay(stored, deltas, params),
    )
    states, changed = learner_model.refresh(stored, deltas, replay, params)
    # Concepts answered after as_of (an as_of in the past) are replayed up to as_of only.
    later = [concept for concept, state in states.items() if state.last_answered_at > as_of]
    truncated = queries.histories(session, learner_id=learner_id, concepts=later, up_to=as_of)
    entries = []
    for concept in sorted(states):
        if concept in later:
            if concept in truncated:
                replayed = learner_model.fold(None, truncated[concept], params(concept))
                entries.append(learner_model.entry(replayed))
        else:
            entries.append(learner_model.entry(states[concept]))
    return changed, entries


def _knowledge_state(
    gaps: list[dict[str, Any]], concepts: list[dict[str, Any]], as_of: str
) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "concepts": {
            entry["concept"]: {
                key: entry[key] for key in ("p_mastery", "mastered", "next_review_at")
            }
            for entry in concepts
        },
        "top_gaps": [
            {key: gap[key] for key in ("concept", "error_rate", "severity", "priority_score")}
            for gap in gaps[:TOP_GAPS_IN_STATE]
        ],
    }


def _serialized(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        **entry,
        "last_answered_at": _iso(entry["last_answered_at"]),
        "next_review_at": _iso(entry["next_review_at"]),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def _parse_as_of(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
