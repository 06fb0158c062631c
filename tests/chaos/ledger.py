"""What the clients saw: every accepted job and every answer, thread-safe.

The audit compares this with what PostgreSQL and the model server say afterwards. Times are
Unix seconds (comparable with the model server's log and the fault timeline).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

NO_RESPONSE = 0  # status recorded when the request got no HTTP answer (refused, reset, timeout)
EVIDENCE_LIMIT = 200  # kept per kind of anomaly (the counts are always complete)


@dataclass(frozen=True)
class Accepted:
    job_id: str
    kind: str
    user: str
    at: float
    phase: str
    idempotency_key: str | None = None
    concept: str | None = None
    fresh: bool = False


@dataclass(frozen=True)
class Anomaly:
    """One answer worth showing in the report (a 5xx other than 503, a vanished job...)."""

    kind: str
    at: float
    phase: str
    action: str
    status: int
    request_id: str | None
    detail: str


@dataclass
class Ledger:
    _lock: threading.Lock = field(default_factory=threading.Lock)
    accepted: dict[str, Accepted] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    anomalies: dict[str, list[Anomaly]] = field(default_factory=dict)
    anomaly_counts: Counter[str] = field(default_factory=Counter)
    # (user, Idempotency-Key) → every job id a 202 answered for it.
    keyed: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    phase: str = "setup"  # what the campaign is doing now (set by the campaign's thread)

    def answered(self, action: str, status: int) -> None:
        with self._lock:
            self.statuses[(action, status)] += 1

    def accept(self, job: Accepted) -> None:
        with self._lock:
            self.accepted.setdefault(job.job_id, job)
            if job.idempotency_key is not None:
                self.keyed.setdefault((job.user, job.idempotency_key), set()).add(job.job_id)

    def anomaly(
        self, kind: str, *, action: str, status: int, request_id: str | None, detail: str
    ) -> None:
        with self._lock:
            self.anomaly_counts[kind] += 1
            found = self.anomalies.setdefault(kind, [])
            if len(found) < EVIDENCE_LIMIT:
                found.append(
                    Anomaly(kind, time.time(), self.phase, action, status, request_id, detail)
                )

    def accepted_jobs(self) -> list[Accepted]:
        with self._lock:
            return list(self.accepted.values())

    def accepted_ids(self, user: str) -> list[str]:
        with self._lock:
            return [job.job_id for job in self.accepted.values() if job.user == user]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            by_status: Counter[int] = Counter()
            for (_, status), count in self.statuses.items():
                by_status[status] += count
            return {
                "requests": sum(self.statuses.values()),
                "by_status": {str(status): count for status, count in sorted(by_status.items())},
                "by_action": {
                    f"{action} {status}": count
                    for (action, status), count in sorted(self.statuses.items())
                },
                "anomaly_counts": dict(self.anomaly_counts),
                "anomalies": {
                    kind: [asdict(item) for item in items] for kind, items in self.anomalies.items()
                },
            }
