"""Pure helpers for the content and learner-model parts: sliding windows over request times,
model spend from the loopback server's request log, and a few small statistics.

"Full" windows lie entirely inside the measured phase: a window that reaches past the phase's
end would count time in which nothing was asked of the system, so it says nothing about how well
the limit was used. The safety figure (most requests in any 60 s window, anywhere) is
`tests.support.model_server.peak_requests_in_window`, with the same half-open windows.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Nudge past a request time: windows are half-open [a, a + w), so a window starting just after
# t no longer holds t.
_EPSILON = 1e-6


def _count(times: Sequence[float], start: float, window: float) -> int:
    return bisect.bisect_left(times, start + window) - bisect.bisect_left(times, start)


def _full_window_starts(
    times: Sequence[float], window: float, start: float, end: float
) -> list[float] | None:
    """Every start at which the count of a full window [a, a + w) can be smallest, or None when
    [start, end] is shorter than one window. The count only drops when a request leaves (a
    passes it), so the minimum is found just after a request leaves or at either end of the
    range of starts."""
    last = end - window
    if last < start - _EPSILON:
        return None
    last = max(last, start)
    starts = {start, last}
    for moment in times:
        candidate = moment + _EPSILON
        if start <= candidate <= last:
            starts.add(candidate)
    return sorted(starts)


def quietest_full_window(
    times: Iterable[float], window: float, start: float, end: float
) -> int | None:
    """Fewest requests in any window of `window` seconds lying inside [start, end] (the rate the
    limit sustained, not just its first burst); None when [start, end] is shorter than one
    window."""
    ordered = sorted(times)
    starts = _full_window_starts(ordered, window, start, end)
    if starts is None:
        return None
    return min(_count(ordered, a, window) for a in starts)


def mean_full_window(
    times: Iterable[float], window: float, start: float, end: float
) -> float | None:
    """Requests in a window of `window` seconds lying inside [start, end], averaged over every
    such window (its start uniform over [start, end - window]); None when [start, end] is
    shorter than one window. Unlike requests ÷ (end − start), this never exceeds the most any
    one window holds, whatever the phase of a bursty pattern against [start, end]."""
    last = end - window
    if last < start - _EPSILON:
        return None
    ordered = sorted(times)
    if last <= start:
        return float(_count(ordered, start, window))
    # A request at t lies in [a, a + w) for a in (t - w, t]: integrate that over [start, last].
    covered = sum(max(0.0, min(last, moment) - max(start, moment - window)) for moment in ordered)
    return covered / (last - start)


def count_between(times: Iterable[float], start: float, end: float) -> int:
    """Requests in [start, end)."""
    return sum(1 for moment in times if start <= moment < end)


def call_cost(entry: Mapping[str, Any], price: Mapping[str, float]) -> float:
    """What one logged request cost at `price` (USD per 1K tokens); failed requests cost 0."""
    if entry.get("status") != 200:
        return 0.0
    prompt = int(entry.get("prompt_tokens") or 0)
    completion = int(entry.get("completion_tokens") or 0)
    return prompt / 1000 * price["input"] + completion / 1000 * price["output"]


def spend(requests: Iterable[Mapping[str, Any]], price: Mapping[str, float]) -> dict[str, Any]:
    """Total and largest single call's cost over the model server's request log."""
    costs = [call_cost(entry, price) for entry in requests]
    paid = [cost for cost in costs if cost > 0]
    return {
        "calls": len(costs),
        "paid_calls": len(paid),
        "total_usd": sum(paid),
        "max_call_usd": max(paid, default=0.0),
        "mean_call_usd": statistics.fmean(paid) if paid else 0.0,
    }


def rounded(value: float | None, digits: int = 2) -> float | None:
    return round(value, digits) if value is not None else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


def histogram(times: Iterable[float], start: float, end: float, bucket: float) -> list[int]:
    """Requests per `bucket` seconds from `start` to `end` (the phase's shape, for the JSON)."""
    counts = [0] * max(1, int(-(-(end - start) // bucket)))
    for moment in times:
        if start <= moment < end:
            counts[min(len(counts) - 1, int((moment - start) // bucket))] += 1
    return counts


def time_to_reach(times: Iterable[float], start: float, count: int) -> float | None:
    """Seconds from `start` until the `count`-th request (None if it never came)."""
    ordered = sorted(moment for moment in times if moment >= start)
    return ordered[count - 1] - start if 0 < count <= len(ordered) else None
