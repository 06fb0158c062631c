"""A 3-cycle chaos campaign (the short form of `make chaos`): the invariants under three fast,
different faults, with the test suite's short job timings. See docs/reliability.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.campaign import run_campaign
from tests.chaos.config import CampaignConfig
from tests.chaos.faults import all_faults

pytestmark = pytest.mark.fault

# A worker killed in the middle of model calls, the broker (and everything else Redis held: the
# day's spend, the limits) lost, and an analytics pool child killed in the middle of a batch.
FAULTS = ("kill-content-worker", "restart-redis-flushed", "kill-analytics-child")


def test_three_fast_faults_lose_duplicate_strand_and_overspend_nothing(tmp_path: Path) -> None:
    assert all(all_faults()[name].fast for name in FAULTS)
    # A budget of about fifteen calls, spent within the first cycle: whatever the order of the
    # faults, the flush meets a day's spend that must not be forgotten.
    config = CampaignConfig(
        cycles=3, seed=3, faults=FAULTS, fast=True, budget_usd=0.15, results_dir=tmp_path
    )

    result = run_campaign(config, log=lambda _line: None)

    assert sorted(record.fault for record in result.cycles) == sorted(FAULTS), result.report
    counts = result.audit.counts
    # The campaign did what it is for: both kinds of jobs under load, the budget spent.
    assert counts["accepted_content"] > 0 and counts["accepted_analytics"] > 0, result.report
    assert counts["budget_reached"], result.report
    failed = [item for item in result.audit.invariants if not item.ok]
    assert not failed, result.report
    assert result.json_path.is_file()
