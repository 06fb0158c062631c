"""Which parts of the benchmark one run does (`--only`, `--skip-http`, `--skip-analytics`): see
`python -m bench --help` and docs/benchmarks.md for what each measures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HTTP = "http"
ANALYTICS = "analytics"
LIMITS = "limits"
BUDGET = "budget"
LEARNER_BIG = "learner-big"
LEARNER_GROWTH = "learner-growth"
LEARNER_BATCH = "learner-batch"
LEARNER_FIT = "learner-model-fit"
GROWTH = "growth"
PARTS = (HTTP, ANALYTICS, LIMITS, BUDGET, LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH, LEARNER_FIT)
OPT_IN_PARTS = (GROWTH,)  # never part of "everything"
ALIASES = {
    "content": (LIMITS, BUDGET),
    "learner-model": (LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH),
    "learner": (LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH),
}
CONTENT_PARTS = frozenset({LIMITS, BUDGET})
LEARNER_PARTS = frozenset({LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH})


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

    Raises ValueError naming what it does not know.
    """
    keys = tuple(scenario_keys)
    tokens = [token.strip() for token in only.split(",") if token.strip()]
    parts: set[str] = set()
    scenarios: set[str] = set()
    unknown: list[str] = []
    if not tokens:
        parts, scenarios = set(PARTS), set(keys)
    for token in tokens:
        if token == HTTP:
            parts.add(HTTP)
            scenarios.update(keys)
        elif token in PARTS or token in OPT_IN_PARTS:
            parts.add(token)
        elif token in ALIASES:
            parts.update(ALIASES[token])
        elif token in keys:
            parts.add(HTTP)
            scenarios.add(token)
        else:
            unknown.append(token)
    if unknown:
        known = ", ".join([*PARTS, *OPT_IN_PARTS, *ALIASES, *keys])
        raise ValueError(f"unknown part or scenario {', '.join(unknown)}; known: {known}")
    if skip_http:
        parts.discard(HTTP)
        scenarios.clear()
    if skip_analytics:
        parts.discard(ANALYTICS)
    return Selection(frozenset(parts), frozenset(scenarios))
