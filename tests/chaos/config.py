"""What one campaign is: its cycles, faults, load, timings and money."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ailp.config import Settings
from tests.support.processes import FAST_JOB_SETTINGS

REPO_ROOT = Path(__file__).resolve().parents[2]

# The job timings the campaign may run with. "production": the Settings defaults (what `make up`
# runs), so each fault meets the leases, heartbeats and sweeps a real deployment has; "fast": the
# test suite's short timings (the fault tier's 3-cycle campaign).
_TIMING_KEYS = (
    "JOB_LEASE_SECONDS",
    "JOB_HEARTBEAT_SECONDS",
    "SWEEPER_INTERVAL_SECONDS",
    "OPENAI_BACKOFF_BASE_SECONDS",
    "OPENAI_BACKOFF_MAX_SECONDS",
    "OPENAI_TIMEOUT_SECONDS",
)
DEFAULT_CONTENT_DEADLINE_SECONDS = 300.0  # CONTENT_JOB_DEADLINE_SECONDS in the HTTP contract


def _default(name: str) -> float:
    """A setting's default from the one Settings class (so the campaign follows its changes)."""
    found = Settings.model_fields.get(name.lower())
    if found is None or found.default is None:
        raise KeyError(name)
    return float(found.default)


def production_timings() -> dict[str, str]:
    return {key: repr(_default(key)) for key in _TIMING_KEYS}


def fast_timings() -> dict[str, str]:
    return {key: FAST_JOB_SETTINGS[key] for key in _TIMING_KEYS}


def content_deadline_seconds() -> float:
    try:
        return _default("CONTENT_JOB_DEADLINE_SECONDS")
    except KeyError:  # the setting does not exist yet: the contract's default
        return DEFAULT_CONTENT_DEADLINE_SECONDS


@dataclass(frozen=True)
class Prices:
    """USD per 1,000 tokens, for OPENAI_PRICES and for pricing the model server's own tally."""

    model: str = "gpt-4o-mini"
    input_per_1k: float = 0.004
    output_per_1k: float = 0.012

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return input_tokens / 1000 * self.input_per_1k + output_tokens / 1000 * self.output_per_1k

    def env(self) -> str:
        return json.dumps({self.model: {"input": self.input_per_1k, "output": self.output_per_1k}})


@dataclass(frozen=True)
class CampaignConfig:
    cycles: int = 30
    seed: int = 1
    # Fault names (see `faults.FAULTS`); empty: all of them, round-robin over a seeded shuffle.
    faults: tuple[str, ...] = ()
    fast: bool = False  # the test suite's job timings instead of production's
    # Seconds per cycle (the fault lands at a random moment inside it); 0: by timings.
    cycle_seconds: float = 0.0
    pg_outage_seconds: float = 20.0
    freeze_seconds: float = 90.0
    restart_delay_max: float = 5.0  # a supervisor restarts at once or after up to this long
    # Load: requests per second over all threads (loopback, bounded: the machine has 2 cores).
    rate: float = 6.0
    threads: int = 4
    users: int = 6
    model_delay: tuple[float, float] = (0.3, 1.5)
    prices: Prices = field(default_factory=Prices)
    # The day's model budget; 0: about a third of what the campaign would spend without one,
    # so that it is reached early and every later fault meets a spent budget.
    budget_usd: float = 0.0
    max_tokens: int = 2000
    content_workers: int = 1
    # Bound on waiting for every accepted job to end after the load stops; 0: by timings.
    drain_seconds: float = 0.0
    results_dir: Path = REPO_ROOT / "bench-results"

    @property
    def timings(self) -> dict[str, str]:
        return fast_timings() if self.fast else production_timings()

    @property
    def cycle_length(self) -> float:
        if self.cycle_seconds:
            return self.cycle_seconds
        return 12.0 if self.fast else 45.0

    @property
    def drain_bound(self) -> float:
        """Long enough for any job to end after the last fault: the content deadline, a lease
        to expire, a sweep to notice and a re-run, plus margin."""
        if self.drain_seconds:
            return self.drain_seconds
        timings = {key: float(value) for key, value in self.timings.items()}
        deadline = 60.0 if self.fast else content_deadline_seconds()
        return (
            deadline + timings["JOB_LEASE_SECONDS"] + 4 * timings["SWEEPER_INTERVAL_SECONDS"] + 60.0
        )

    @property
    def budget(self) -> float:
        if self.budget_usd:
            return self.budget_usd
        # Measured with the default load: a fifth of the requests ask for content, two thirds of
        # those miss the cache, and a call asks ~500 prompt tokens and gets ~700 back. The budget
        # is set to run out after about 60 % of the campaign: model calls are in flight during
        # most faults, and every earlier loss of the day's spend shows as overspend by the end.
        calls_per_second = self.rate * 0.2 * 0.65
        seconds = self.cycles * (self.cycle_length + 10.0)  # plus the outages' and freezes' hold
        expected_spend = calls_per_second * self.prices.cost(500, 700) * seconds
        return round(max(0.05, 0.6 * expected_spend), 2)
