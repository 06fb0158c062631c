"""Request-log statistics for the content and learner parts: windows over request times (half
open, [a, a + w), as `tests.support.model_server.peak_requests_in_window`; "full" ones lie inside
the measured phase), model spend, percentiles."""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_EPSILON = 1e-6  # past a request time: a window starting just after t no longer holds t


def _count(times: Sequence[float], start: float, window: float) -> int:
    return bisect.bisect_left(times, start + window) - bisect.bisect_left(times, start)


def quietest_full_window(
    times: Iterable[float], window: float, start: float, end: float
) -> int | None:
    """Fewest requests in any window inside [start, end] (None: shorter than a window). A count
    only drops when a request leaves, so the minimum is just after one leaves, or at an end."""
    ordered, last = sorted(times), end - window
    if last < start - _EPSILON:
        return None
    last = max(last, start)
    starts = {start, last} | {t + _EPSILON for t in ordered if start <= t + _EPSILON <= last}
    return min(_count(ordered, a, window) for a in starts)


def mean_full_window(
    times: Iterable[float], window: float, start: float, end: float
) -> float | None:
    """Requests per window inside [start, end], averaged over every such window (None: shorter
    than a window); unlike requests ÷ (end − start), never more than one window can hold."""
    ordered, last = sorted(times), end - window
    if last < start - _EPSILON:
        return None
    if last <= start:
        return float(_count(ordered, start, window))
    # A request at t lies in [a, a + w) for a in (t - w, t]: integrate that over [start, last].
    covered = sum(max(0.0, min(last, t) - max(start, t - window)) for t in ordered)
    return covered / (last - start)


def count_between(times: Iterable[float], start: float, end: float) -> int:
    """Requests in [start, end)."""
    return sum(1 for moment in times if start <= moment < end)


def spend(requests: Iterable[Mapping[str, Any]], price: Mapping[str, float]) -> dict[str, Any]:
    """Total and largest single call's cost (`price`: USD per 1K tokens) over the model server's
    request log; calls that were not answered 200 cost nothing."""
    calls = list(requests)
    costs = [
        int(r.get("prompt_tokens") or 0) * price["input"] / 1000
        + int(r.get("completion_tokens") or 0) * price["output"] / 1000
        for r in calls
        if r.get("status") == 200
    ]
    paid = [cost for cost in costs if cost > 0]
    return {
        "calls": len(calls),
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
    return ordered[int(max(1, min(len(ordered), -(-len(ordered) * q // 100)))) - 1]


def histogram(times: Iterable[float], start: float, end: float, bucket: float) -> list[int]:
    counts = [0] * max(1, int(-(-(end - start) // bucket)))
    for moment in times:
        if start <= moment < end:
            counts[min(len(counts) - 1, int((moment - start) // bucket))] += 1
    return counts


def time_to_reach(times: Iterable[float], start: float, count: int) -> float | None:
    """Seconds from `start` until the `count`-th request (None if it never came)."""
    ordered = sorted(moment for moment in times if moment >= start)
    return ordered[count - 1] - start if 0 < count <= len(ordered) else None
