"""The chaos campaign's own logic: its fault schedule, the model-call bound, its settings."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from ailp.config import Settings
from tests.chaos.audit import Audit, JobRow, concept_key, count_model_calls
from tests.chaos.config import CampaignConfig, production_timings
from tests.chaos.environment import last_error
from tests.chaos.faults import FAULT_NAMES, all_faults, schedule

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _job(job_id: str, concept: str, attempts: int) -> JobRow:
    return JobRow(
        job_id, "content", "succeeded", attempts, None, None, "host:1", NOW, NOW, NOW, concept, None
    )


def _call(concept: str, *, status: int = 200, messages: int = 2) -> dict[str, Any]:
    return {"status": status, "concept": concept, "message_count": messages}


def test_every_fault_occurs_each_round_in_a_seeded_order() -> None:
    plan = schedule((), 30, random.Random(7))
    assert len(plan) == 30 and set(plan) == set(FAULT_NAMES)
    assert min(Counter(plan).values()) == 30 // len(FAULT_NAMES)
    assert all(len(set(plan[i : i + 8])) == 8 for i in range(0, 24, 8))  # each round: all
    assert plan == schedule((), 30, random.Random(7))
    assert plan != schedule((), 30, random.Random(8))
    with pytest.raises(ValueError, match="unknown faults"):
        schedule(("unplug-the-moon",), 3, random.Random(1))


def test_the_fault_tiers_faults_are_the_fast_ones() -> None:
    slow = {name for name, fault in all_faults().items() if not fault.fast}
    assert slow == {"stop-postgres", "freeze-worker"}


def test_answered_calls_within_attempts_plus_repairs_pass() -> None:
    audit = Audit()
    jobs = {
        "a": _job("a", "Chaos topic 1", attempts=2),  # paid, thrown away, run again
        "b": _job("b", "SQL joins", attempts=1),
        "c": _job("c", "sql  JOINS", attempts=1),  # the same concept, spelled otherwise
    }
    calls = [
        _call("Chaos topic 1"),
        _call("Chaos topic 1"),
        _call("SQL joins"),
        _call("SQL joins", messages=4),  # a repair of an invalid answer
        _call("SQL joins"),
        _call("Chaos topic 1", status=499),  # cut off: not answered, not billed
    ]
    count_model_calls(audit, jobs, calls)
    counts = audit.counts
    assert counts["model_calls_answered"] == 5 and counts["model_calls_bound"] == 5
    assert counts["model_calls_over_bound_groups"] == 0
    assert counts["model_calls_unanswered"] == {"499": 1}
    assert counts["content_jobs_answered_twice"] == 1
    assert audit.evidence["content_jobs_answered_twice"][0]["id"] == "a"


def test_an_answer_beyond_the_attempts_or_of_no_job_is_a_duplicate() -> None:
    audit = Audit()
    jobs = {"a": _job("a", "Chaos topic 1", attempts=1)}
    calls = [_call("Chaos topic 1"), _call("Chaos topic 1"), _call("Chaos topic 99")]
    count_model_calls(audit, jobs, calls)
    assert audit.counts["model_calls_over_bound_groups"] == 1
    assert audit.counts["model_calls_unattributed"] == 1
    over = audit.evidence["model_calls_over_bound"][0]
    assert over["answered"] == 2 and over["attempts"] == 1


def test_concept_key_folds_case_and_whitespace_like_the_model_server() -> None:
    assert concept_key("  SQL \n joins ") == concept_key("sql joins") == "sql joins"
    assert concept_key(None) == ""


def test_production_timings_are_the_settings_defaults() -> None:
    timings = production_timings()
    assert float(timings["JOB_LEASE_SECONDS"]) == 60.0
    assert (
        float(timings["SWEEPER_INTERVAL_SECONDS"])
        == Settings.model_fields["sweeper_interval_seconds"].default
    )
    assert CampaignConfig(fast=True).timings["JOB_LEASE_SECONDS"] == "4"


def test_default_budget_scales_with_the_campaign_and_an_explicit_one_wins() -> None:
    short, long = CampaignConfig(cycles=8), CampaignConfig(cycles=30)
    assert 0 < short.budget < long.budget
    assert CampaignConfig(budget_usd=0.15).budget == 0.15


def test_last_error_names_why_a_service_exited() -> None:
    output = (
        b'{"event": "ok", "level": "info"}\n'
        b'{"event": "Unrecoverable error", "level": "critical",'
        b' "exception": "Traceback\\n  File x\\nAttributeError: boom"}\n'
        b"a plain line\n"
    )
    assert last_error(output) == "Unrecoverable error AttributeError: boom"
    assert last_error(b"nothing\n") == "no error logged"
