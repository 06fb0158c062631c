"""The benchmark's window and spend helpers (bench/content.py), on hand-computed cases."""

from __future__ import annotations

import random

import pytest

from bench import content, kit
from tests.support.model_server import peak_requests_in_window


def _brute_force(times: list[float], window: float, start: float, end: float) -> int:
    """Slide a window over [start, end - window] in tiny steps (and at every request edge)."""
    starts = {start, end - window}
    step = window / 500
    a = start
    while a <= end - window:
        starts.add(a)
        a += step
    for moment in times:
        for candidate in (moment, moment + 1e-6):
            if start <= candidate <= end - window:
                starts.add(candidate)
    return min(sum(1 for t in times if a <= t < a + window) for a in starts)


def _log(times: list[float]) -> list[dict[str, float]]:
    return [{"at": moment} for moment in times]


def test_a_burst_then_silence() -> None:
    # 600 requests in the first 6 s of an 80 s phase, 600 more from 61 s on.
    times = [i / 100 for i in range(600)] + [61 + i / 100 for i in range(600)]
    # The window [6, 66) holds none of the first burst and 500 of the second.
    assert content.quietest_full_window(times, 60, 0, 80) == 500
    # Judged from 60 s on (after the start-up burst), only [60, 80] counts: too short.
    assert content.quietest_full_window(times, 60, 60, 80) is None
    # From 10 s on, both full windows ([10, 70) and [20, 80)) hold the whole second burst.
    assert content.quietest_full_window(times, 60, 10, 80) == 600
    assert peak_requests_in_window(_log(times), 60) == 600
    assert content.count_between(times, 60, 80) == 600
    assert content.count_between(times, 0, 6) == 600


def test_windows_are_half_open() -> None:
    # The model server's peak and the bench's full windows agree on [a, a + w).
    times = [0.0, 60.0]  # 60 s apart: never in the same 60 s window
    assert peak_requests_in_window(_log(times), 60) == 1
    assert content.quietest_full_window(times, 60, 0, 120) == 1
    assert peak_requests_in_window(_log([0.0, 59.999]), 60) == 2
    assert content.count_between(times, 0, 60) == 1


def test_a_phase_shorter_than_one_window_has_no_full_window() -> None:
    assert content.quietest_full_window([1.0, 2.0], 60, 0, 59.5) is None


def test_a_phase_of_exactly_one_window() -> None:
    times = [0.0, 30.0, 59.9, 60.0]
    assert content.quietest_full_window(times, 60, 0, 60) == 3


def test_requests_outside_the_phase_do_not_count() -> None:
    times = [-5.0, 1.0, 2.0, 100.0]
    assert content.quietest_full_window(times, 60, 0, 70) == 0  # [10, 70) is empty
    assert content.quietest_full_window(times, 60, 0, 60) == 2


def test_no_requests() -> None:
    assert content.quietest_full_window([], 60, 0, 80) == 0
    assert content.count_between([], 0, 80) == 0


@pytest.mark.parametrize("seed", range(20))
def test_matches_a_brute_force_slide(seed: int) -> None:
    rng = random.Random(seed)
    times = sorted(rng.uniform(0, 100) for _ in range(rng.randint(0, 60)))
    window, start, end = 30.0, 5.0, 95.0
    assert content.quietest_full_window(times, window, start, end) == _brute_force(
        times, window, start, end
    )


def test_the_mean_window_is_not_fooled_by_the_phase_of_bursts() -> None:
    # 600-request bursts every 60 s (at 0, 60, 120): every 60 s window holds 600, yet [60, 150]
    # holds two bursts, 1,200 requests in 90 s (800 per 60 s).
    times = [burst + i / 100 for burst in (0, 60, 120) for i in range(600)]
    assert content.count_between(times, 60, 150) == 1200
    assert content.mean_full_window(times, 60, 60, 150) == pytest.approx(600)
    assert content.quietest_full_window(times, 60, 60, 150) == 600


def test_the_mean_window_of_a_gap() -> None:
    # One request at 10 s; windows start uniformly in [0, 40] and hold it while they start ≤ 10.
    assert content.mean_full_window([10.0], 60, 0, 100) == pytest.approx(10 / 40)
    assert content.mean_full_window([1.0, 2.0], 60, 0, 59.5) is None
    assert content.mean_full_window([0.0, 30.0, 59.9, 60.0], 60, 0, 60) == 3
    assert content.mean_full_window([], 60, 0, 80) == 0


@pytest.mark.parametrize("seed", range(10))
def test_the_mean_window_matches_a_fine_slide(seed: int) -> None:
    rng = random.Random(seed)
    times = sorted(rng.uniform(0, 100) for _ in range(rng.randint(0, 60)))
    window, start, end = 30.0, 5.0, 95.0
    steps = 60_000
    slide = [start + (end - window - start) * (k + 0.5) / steps for k in range(steps)]
    expected = sum(sum(1 for t in times if a <= t < a + window) for a in slide[::50]) / len(
        slide[::50]
    )
    assert content.mean_full_window(times, window, start, end) == pytest.approx(expected, abs=0.05)


def test_spend_counts_only_answered_calls() -> None:
    price = {"input": 0.01, "output": 0.02}
    log = [
        {"status": 200, "prompt_tokens": 600, "completion_tokens": 500},  # 0.006 + 0.010
        {"status": 200, "prompt_tokens": 1000, "completion_tokens": 0},  # 0.010
        {"status": 429, "prompt_tokens": 600, "completion_tokens": 0},
        {"status": None, "prompt_tokens": 600, "completion_tokens": 0},  # still running
    ]
    result = content.spend(log, price)
    assert result["total_usd"] == pytest.approx(0.026)
    assert result["max_call_usd"] == pytest.approx(0.016)


def test_spend_of_nothing() -> None:
    result = content.spend([], {"input": 1.0, "output": 1.0})
    assert result["total_usd"] == 0.0
    assert result["max_call_usd"] == 0.0


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert kit.percentile(values, 50) == 50.0
    assert kit.percentile(values, 99) == 99.0
    assert kit.percentile(values, 100) == 100.0
    assert kit.percentile([7.0], 99) == 7.0
    assert kit.percentile([], 50) is None
