"""The benchmark's reader of wrk reports (bench/load.py), on captured wrk 4.1.0 output."""

from __future__ import annotations

import pytest

from bench import load

# Captured from `wrk -t2 -c64 -d3s --latency` against the bare ASGI ceiling on this machine.
CLEAN = """\
Running 3s test @ http://127.0.0.1:18123/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.40ms    2.68ms  27.14ms   93.07%
    Req/Sec    16.31k     7.42k   40.75k    75.41%
  Latency Distribution
     50%    1.65ms
     75%    2.48ms
     90%    4.03ms
     99%   15.68ms
  98898 requests in 3.10s, 12.45MB read
Requests/sec:  31902.75
Transfer/sec:      4.02MB
"""

# The same report shape with wrk's error lines (socket errors first, then non-2xx/3xx), a
# sub-millisecond percentile and a timeout-length maximum, as wrk prints them.
WITH_ERRORS = """\
Running 10s test @ http://127.0.0.1:8000
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    45.10ms   80.20ms    1.99s    95.12%
    Req/Sec   812.33    120.50     1.10k    70.00%
  Latency Distribution
     50%  850.00us
     75%   30.12ms
     90%   90.00ms
     99%    1.20s
  16210 requests in 10.02s, 9.87MB read
  Socket errors: connect 0, read 3, write 0, timeout 12
  Non-2xx or 3xx responses: 41
Requests/sec:   1617.76
Transfer/sec:      0.98MB
"""


def test_parses_a_clean_report() -> None:
    result = load.parse(CLEAN)
    assert result.requests == 98898
    assert result.duration_s == pytest.approx(3.10)
    assert result.rps == pytest.approx(31902.75)
    assert result.latency_avg_ms == pytest.approx(2.40)
    assert result.latency_stdev_ms == pytest.approx(2.68)
    assert result.latency_max_ms == pytest.approx(27.14)
    assert result.p50_ms == pytest.approx(1.65)
    assert result.percentiles_ms["90"] == pytest.approx(4.03)
    assert result.p99_ms == pytest.approx(15.68)
    assert result.errors == 0
    assert result.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 0}


def test_reads_units_and_error_lines() -> None:
    result = load.parse(WITH_ERRORS)
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.latency_max_ms == pytest.approx(1990.0)
    assert result.socket_errors == {"connect": 0, "read": 3, "write": 0, "timeout": 12}
    assert result.non_2xx == 41
    assert result.errors == 56
    assert result.as_dict()["errors"] == 56


@pytest.mark.parametrize(
    ("value", "unit", "ms"),
    [("250.00", "us", 0.25), ("1.5", "ms", 1.5), ("2.00", "s", 2000.0), ("1.00", "m", 60000.0)],
)
def test_time_units(value: str, unit: str, ms: float) -> None:
    assert load.to_ms(value, unit) == pytest.approx(ms)


def test_refuses_output_that_is_not_a_report() -> None:
    with pytest.raises(load.WrkOutputError):
        load.parse("unable to connect to 127.0.0.1:8000 Connection refused\n")


def test_refuses_a_report_without_latency_distribution() -> None:
    without = "\n".join(
        line
        for line in CLEAN.splitlines()
        if not line.strip().startswith(("50%", "75%", "90%", "99%"))
    )
    with pytest.raises(load.WrkOutputError):
        load.parse(without)
