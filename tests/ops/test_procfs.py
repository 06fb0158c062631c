"""The CPU-time reads of `ailp.devstack.procfs` (the benchmark's CPU breakdown uses them)."""

from __future__ import annotations

import os
import resource
import time

from ailp.devstack import procfs


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_cpu_time_of_this_process_follows_its_own_count() -> None:
    before = procfs.cpu_time(os.getpid())
    _burn(0.3)
    after = procfs.cpu_time(os.getpid())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    assert before is not None and after is not None
    assert after - before >= 0.25
    # The same clock as the kernel's own accounting, to a clock tick or two.
    assert abs(after - (usage.ru_utime + usage.ru_stime)) < 0.05


def test_cpu_time_of_a_process_that_does_not_exist() -> None:
    assert procfs.cpu_time(2**22 + 1) is None  # above the kernel's largest pid


def test_machine_cpu_time_counts_busy_within_total() -> None:
    busy, total = procfs.machine_cpu_time()
    _burn(0.3)
    busy_after, total_after = procfs.machine_cpu_time()
    assert 0 < busy <= total
    assert busy_after - busy >= 0.25
    assert total_after - total >= busy_after - busy
