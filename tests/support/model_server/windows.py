"""Peak request and token counts of a request log over sliding windows (the rate-limit checks)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def peak_requests_in_window(
    requests: Iterable[Mapping[str, Any]], window_seconds: float = 60.0
) -> int:
    """Max number of requests whose ``at`` falls inside any window of ``window_seconds``."""
    times = sorted(float(r["at"]) for r in requests)
    best = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window_seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def peak_tokens_in_window(
    requests: Iterable[Mapping[str, Any]], window_seconds: float = 60.0
) -> int:
    """Max sum of prompt+completion tokens of requests received inside any such window."""
    points = sorted(
        (float(r["at"]), int(r.get("prompt_tokens") or 0) + int(r.get("completion_tokens") or 0))
        for r in requests
    )
    best = total = start = 0
    for moment, tokens in points:
        total += tokens
        while moment - points[start][0] >= window_seconds:
            total -= points[start][1]
            start += 1
        best = max(best, total)
    return best
