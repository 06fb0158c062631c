"""Where the background stack keeps its state (AILP_RUN_DIR, default ./.run) and its PID files.

`.run/pids/<name>.pid` holds the PID (also the process group: each service has its own session),
its start time from /proc (so a recycled PID is never mistaken for ours) and, for a service, how
often the supervisor restarted it. `make down` stops exactly what these files name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ailp.devstack import procfs

SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Paths:
    root: Path  # the repository (or the image's /app): commands run from here
    run: Path  # AILP_RUN_DIR: logs, PID files, metrics folders (default ./.run)

    @classmethod
    def here(cls) -> Paths:
        root = Path.cwd()
        return cls(root, Path(os.environ.get("AILP_RUN_DIR") or root / ".run").absolute())

    @property
    def logs(self) -> Path:
        return self.run / "logs"

    @property
    def pids(self) -> Path:
        return self.run / "pids"

    def metrics(self, name: str) -> Path:
        return self.run / "metrics" / name

    @property
    def web(self) -> Path:
        return self.root / "services" / "web"

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)


# --- PID files --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    pid: int
    start: str
    restarts: int

    @property
    def running(self) -> bool:
        """The recorded process is still the one that was started."""
        return procfs.start_time(self.pid) == self.start

    @property
    def orphans(self) -> bool:
        """Its leader is gone but processes of its group still run (a PID is never reused while
        a process group still carries it, so they are ours)."""
        return not self.running and bool(procfs.group_members(self.pid))


def write_record(paths: Paths, name: str, pid: int, restarts: int = 0) -> None:
    paths.pids.mkdir(parents=True, exist_ok=True)
    start = procfs.start_time(pid) or "unknown"
    (paths.pids / f"{name}.pid").write_text(f"{pid}\n{start}\n{restarts}\n")


def read_record(paths: Paths, name: str) -> Record | None:
    try:
        lines = (paths.pids / f"{name}.pid").read_text().split()
        return Record(int(lines[0]), lines[1], int(lines[2]) if len(lines) > 2 else 0)
    except (OSError, ValueError, IndexError):
        return None


def remove_record(paths: Paths, name: str) -> None:
    (paths.pids / f"{name}.pid").unlink(missing_ok=True)


def recorded_names(paths: Paths) -> list[str]:
    return sorted(p.stem for p in paths.pids.glob("*.pid") if p.stem != SUPERVISOR)


def supervisor_running(paths: Paths) -> Record | None:
    record = read_record(paths, SUPERVISOR)
    return record if record is not None and record.running else None
