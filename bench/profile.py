"""Optional: sample a process tree with py-spy during a measurement (`--profile KEY,...`).

py-spy comes from PyPI through uv (`uvx py-spy`) when it is not on PATH. The collapsed stacks
are summarised as sample shares per function, which is enough to see what dominates a request or
a job. Idle threads are not sampled, so an event loop waiting for I/O does not count.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any


class PySpy:
    def __init__(self, pid: int, output: Path) -> None:
        command = ["py-spy"] if shutil.which("py-spy") else ["uvx", "py-spy"]
        options = ["--subprocesses", "--rate", "250", "--format", "raw", "--nonblocking"]
        self.process = subprocess.Popen(
            [*command, "record", "--pid", str(pid), "--output", str(output), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _short(frame: str) -> str:
    """ "function (path/to/file.py:123)" → "function (to/file.py)", so a function's lines add up."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(Path(where).parts[-2:])})" if where else name


def summarise(collapsed: Path, top: int = 25, pool_marker: str | None = None) -> dict[str, Any]:
    """Where the samples went.

    With `pool_marker` (a frame only the pool processes have, e.g. billiard's `Worker.workloop`)
    the shares are of the pool processes' samples, and `main_process_share` says how many the
    other processes (Celery's main process) took. `inclusive`: functions by share of samples
    with the function anywhere on the stack (frames on nearly every stack left out); `self`: by
    share of samples where it was the innermost frame (a blocking call in C, such as waiting for
    PostgreSQL, shows up as its Python caller).
    """
    inclusive: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    total = pool = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        if pool_marker and not any(pool_marker in frame for frame in frames):
            continue  # e.g. Celery's main process: consuming, dispatching to the pool, acking
        calls = [frame for frame in frames if not frame.startswith("process ")]
        if not calls:  # a sample of a process with no Python frame (e.g. a thread starting)
            continue
        pool += count
        for name in {_short(frame) for frame in calls}:
            inclusive[name] += count
        innermost[_short(calls[-1])] += count
    if not pool:
        return {"samples": total, "main_process_share": None, "inclusive": [], "self": []}
    return {
        "samples": total,
        "main_process_share": round((total - pool) / total, 4) if pool_marker else None,
        "inclusive": [
            (name, round(count / pool, 4))
            for name, count in inclusive.most_common()
            if count < 0.99 * pool
        ][:top],
        "self": [(name, round(count / pool, 4)) for name, count in innermost.most_common(top)],
    }


def show(label: str, summary: dict[str, Any], collapsed: Path, echo: Callable[[str], None]) -> None:
    if not summary["inclusive"]:
        echo(f"==> {label}: no py-spy samples (see {collapsed})")
        return
    main = summary["main_process_share"]
    echo(
        f"==> {label}: py-spy profile, {summary['samples']} samples"
        + (
            f"; Celery's main process took {main:.0%}, shares below are of the pool's"
            if main
            else ""
        )
    )
    for title, entries in (
        ("inclusive", summary["inclusive"]),
        ("innermost frame", summary["self"][:12]),
    ):
        echo(f"    {title}:")
        for name, share in entries:
            echo(f"    {share:6.1%}  {name}")
    echo(f"    collapsed stacks (kept): {collapsed}")
