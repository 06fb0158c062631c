"""Which parts of the benchmark one run does (`--only`, `--skip-http`, `--skip-analytics`); see
`python -m bench --help` and docs/benchmarks.md for what each measures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HTTP, ANALYTICS, LIMITS, BUDGET = "http", "analytics", "limits", "budget"
LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH = "learner-big", "learner-growth", "learner-batch"
LEARNER_FIT, GROWTH = "learner-model-fit", "growth"
PARTS = (HTTP, ANALYTICS, LIMITS, BUDGET, LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH, LEARNER_FIT)
OPT_IN_PARTS = (GROWTH,)  # never part of "everything"
CONTENT_PARTS = frozenset({LIMITS, BUDGET})
LEARNER_PARTS = frozenset({LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH})
CHOICES = (*PARTS, *OPT_IN_PARTS, "content (limits, budget)", "learner-model (learner-*)")
ALIASES = {"content": CONTENT_PARTS, "learner-model": LEARNER_PARTS, "learner": LEARNER_PARTS}


@dataclass(frozen=True)
class Selection:
    parts: frozenset[str]
    scenarios: frozenset[str]  # HTTP scenario keys to run (all of them when `http` was asked)

    def __contains__(self, part: object) -> bool:
        return part in self.parts


def select(
    only: str,
    scenario_keys: Iterable[str],
    *,
    skip_http: bool = False,
    skip_analytics: bool = False,
) -> Selection:
    """Parse `--only` (comma-separated part names, aliases or HTTP scenario keys; empty: all).
    Raises ValueError naming what it does not know."""
    keys = tuple(scenario_keys)
    tokens = [token.strip() for token in only.split(",") if token.strip()]
    parts, scenarios = (set(), set()) if tokens else (set(PARTS), set(keys))
    for token in tokens:
        parts |= {HTTP} if token in (HTTP, *keys) else set(ALIASES.get(token, {token}))
        scenarios |= set(keys) if token == HTTP else {token} & set(keys)
    if unknown := parts - {*PARTS, *OPT_IN_PARTS}:
        known = ", ".join([*PARTS, *OPT_IN_PARTS, *ALIASES, *keys])
        raise ValueError(f"unknown part or scenario {', '.join(sorted(unknown))}; known: {known}")
    if skip_http:
        parts, scenarios = parts - {HTTP}, set()
    if skip_analytics:
        parts.discard(ANALYTICS)
    return Selection(frozenset(parts), frozenset(scenarios))
