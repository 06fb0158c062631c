"""`--profile KEY,...`: sample a process tree with py-spy during a measurement (`uvx py-spy` when
it is not on PATH) and summarise the samples per function: enough to see what dominates a
request or a job. Idle threads are not sampled: an event loop waiting for I/O does not count."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def record(pid: int, output: Path) -> Iterator[None]:
    command = ["py-spy"] if shutil.which("py-spy") else ["uvx", "py-spy"]
    options = ["--subprocesses", "--rate", "250", "--format", "raw", "--nonblocking"]
    argv = [*command, "record", "--pid", str(pid), "--output", str(output), *options]
    spy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait(5)


def _short(frame: str) -> str:
    """ "function (path/to/file.py:123)" → "function (to/file.py)", so a function's lines add up."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(Path(where).parts[-2:])})" if where else name


def summarise(collapsed: Path, pool_marker: str | None = None, top: int = 25) -> dict[str, Any]:
    """Where the samples went. With `pool_marker` (a frame only a Celery prefork pool's processes
    have) shares are of the pool's samples, `main_process_share` the rest's. `inclusive`: by
    share of samples with the function anywhere on the stack (those on nearly every stack left
    out); `self`: as the innermost frame (waiting in C, e.g. for PostgreSQL, shows as its caller).
    """
    inclusive: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    total = pool = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        total += (count := int(count_text))
        frames = stack.split(";")
        calls = [frame for frame in frames if not frame.startswith("process ")]
        if not calls or (pool_marker and not any(pool_marker in frame for frame in frames)):
            continue  # a process with no Python frame yet, or Celery's main process
        pool += count
        inclusive.update(dict.fromkeys({_short(frame) for frame in calls}, count))
        innermost[_short(calls[-1])] += count
    shares = [(name, round(n / pool, 4)) for name, n in inclusive.most_common() if n < 0.99 * pool]
    return {
        "samples": total,
        "main_process_share": round((total - pool) / total, 4) if pool_marker and pool else None,
        "inclusive": shares[:top],
        "self": [(name, round(n / pool, 4)) for name, n in innermost.most_common(top)],
    }


def show(label: str, summary: dict[str, Any], collapsed: Path, echo: Callable[[str], None]) -> None:
    if not summary["self"]:
        echo(f"==> {label}: no py-spy samples (see {collapsed})")
        return
    main = summary["main_process_share"]
    pool = f"; Celery's main process took {main:.0%}, shares below are of the pool's"
    echo(f"==> {label}: py-spy profile, {summary['samples']} samples{pool if main else ''}")
    for title, entries in (("inclusive", summary["inclusive"]), ("innermost", summary["self"])):
        echo(f"    {title}:")
        for name, share in entries[: 25 if title == "inclusive" else 12]:
            echo(f"    {share:6.1%}  {name}")
    echo(f"    collapsed stacks (kept): {collapsed}")
