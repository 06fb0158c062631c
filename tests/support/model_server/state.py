"""Modes (what a scripted request does) and the server's mutable state: the script queue,
the rules, the default behaviour and the request log."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

SUCCESS_MODES = frozenset(
    {
        "ok",
        "slow",
        "hang",
        "invalid_json",
        "wrong_answer",
        "empty_fields",
        "truncated",
        "refusal",
    }
)
ERROR_MODES = frozenset({"400", "401", "429", "500", "502", "503"})
MODES = SUCCESS_MODES | ERROR_MODES
DEFAULT_DELAYS: dict[str, float] = {"slow": 2.0, "hang": 3600.0}
RATE_WINDOW_SECONDS = 60.0


Variant = Literal["normal", "wrong_answer", "empty_fields"]


def normalize_behaviour(raw: Mapping[str, Any], *, allow_count: bool = False) -> dict[str, Any]:
    """Validate a behaviour dict (``{"mode": ..., options}``) and return a normalised copy."""
    if not isinstance(raw, Mapping):
        raise ValueError("a behaviour must be a JSON object")
    behaviour = dict(raw)
    mode = str(behaviour.get("mode", "ok"))
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {sorted(MODES)}")
    behaviour["mode"] = mode
    if "delay" in behaviour:
        delay = float(behaviour["delay"])
        if delay < 0 or not math.isfinite(delay):
            raise ValueError("delay must be a finite number >= 0")
        behaviour["delay"] = delay
    if "delay_max" in behaviour:
        delay_max = float(behaviour["delay_max"])
        if not math.isfinite(delay_max) or delay_max < float(behaviour.get("delay", 0.0)):
            raise ValueError("delay_max must be a finite number >= delay")
        behaviour["delay_max"] = delay_max
    if "count" in behaviour:
        if not allow_count:
            raise ValueError("count is only meaningful for script steps")
        count = behaviour["count"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be an integer >= 1")
    headers = behaviour.get("headers", {})
    if not isinstance(headers, Mapping):
        raise ValueError("headers must be an object of strings")
    if "echo" in behaviour and (not isinstance(behaviour["echo"], str) or not behaviour["echo"]):
        raise ValueError("echo must be the non-empty name of a JSON key in the prompt")
    return behaviour


@dataclass
class ScriptStep:
    behaviour: dict[str, Any]
    remaining: int


@dataclass
class Rule:
    match: str
    behaviour: dict[str, Any]


@dataclass
class ServerState:
    """All mutable server state. Only touched from the event loop thread."""

    rpm_limit: int = 10_000
    tpm_limit: int = 2_000_000
    script: deque[ScriptStep] = field(default_factory=deque)
    rules: list[Rule] = field(default_factory=list)
    default: dict[str, Any] = field(default_factory=lambda: {"mode": "ok"})
    log: list[dict[str, Any]] = field(default_factory=list)
    recent: deque[dict[str, Any]] = field(default_factory=deque)

    def reset(self) -> None:
        self.script.clear()
        self.rules.clear()
        self.default = {"mode": "ok"}
        self.log = []
        self.recent.clear()

    def enqueue(self, steps: Iterable[dict[str, Any]]) -> None:
        for step in steps:
            behaviour = {k: v for k, v in step.items() if k != "count"}
            self.script.append(ScriptStep(behaviour, int(step.get("count", 1))))

    def queued_units(self) -> int:
        return sum(step.remaining for step in self.script)

    def next_behaviour(self, haystack: str) -> dict[str, Any]:
        """Pick the behaviour for one request: matching rule, else script head, else default."""
        for rule in self.rules:
            if rule.match in haystack:
                return rule.behaviour
        if self.script:
            step = self.script[0]
            step.remaining -= 1
            if step.remaining <= 0:
                self.script.popleft()
            return step.behaviour
        return self.default

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        self.log.append(entry)
        self.recent.append(entry)
        return entry

    def rate_limit_headers(self, now: float) -> dict[str, str]:
        """Plausible x-ratelimit-* headers computed over the last minute of traffic."""
        while self.recent and now - self.recent[0]["at"] >= RATE_WINDOW_SECONDS:
            self.recent.popleft()
        used_tokens = sum(e["prompt_tokens"] + e["completion_tokens"] for e in self.recent)
        return {
            "x-ratelimit-limit-requests": str(self.rpm_limit),
            "x-ratelimit-remaining-requests": str(max(0, self.rpm_limit - len(self.recent))),
            "x-ratelimit-limit-tokens": str(self.tpm_limit),
            "x-ratelimit-remaining-tokens": str(max(0, self.tpm_limit - used_tokens)),
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-reset-tokens": "1ms",
        }

    def snapshot(self) -> dict[str, Any]:
        return {
            "default": self.default,
            "rules": [{"match": r.match, **r.behaviour} for r in self.rules],
            "script": [{**s.behaviour, "count": s.remaining} for s in self.script],
            "requests": len(self.log),
        }
