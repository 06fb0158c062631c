"""The campaign's table (stdout) and its JSON file (bench-results/chaos-<UTC time>.json)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.chaos.audit import Audit
from tests.chaos.config import CampaignConfig


@dataclass
class CycleRecord:
    cycle: int
    fault: str
    started_at: float
    injected_at: float = 0.0
    repaired_at: float = 0.0
    recovered_at: float = 0.0
    hold_seconds: float = 0.0
    injected: dict[str, Any] = field(default_factory=dict)
    repaired: dict[str, Any] = field(default_factory=dict)
    unexpected_exits: list[str] = field(default_factory=list)
    peak_broker_messages: int = 0  # task messages waiting in the broker (content + analytics)
    peak_unfinished_jobs: int = 0

    @property
    def recovery_seconds(self) -> float:
        """From the fault to health again (its hold, the repair, the services' start-up)."""
        return max(0.0, self.recovered_at - self.injected_at) if self.injected_at else 0.0


def _details(values: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in values.items())


def render(config: CampaignConfig, cycles: list[CycleRecord], audit: Audit, duration: float) -> str:
    lines = [
        f"chaos campaign: {len(cycles)} cycles, seed {config.seed}, "
        f"{'fast' if config.fast else 'production'} job timings, {config.rate:g} req/s, "
        f"budget {config.budget} USD, {duration / 60:.1f} min",
        "",
        f"{'cycle':>5}  {'fault':<22} {'at s':>6} {'held s':>7} {'down s':>7} "
        f"{'msgs/jobs':>10}  what happened",
    ]
    for record in cycles:
        at = record.injected_at - record.started_at if record.injected_at else 0.0
        happened = _details(record.injected)
        if record.unexpected_exits:
            happened += f"; also exited: {'; '.join(record.unexpected_exits)}"
        lines.append(
            f"{record.cycle:>5}  {record.fault:<22} {at:>6.1f} {record.hold_seconds:>7.1f} "
            f"{record.recovery_seconds:>7.1f} "
            f"{f'{record.peak_broker_messages}/{record.peak_unfinished_jobs}':>10}  {happened}"
        )
    counts = audit.counts
    lines += [
        "(msgs/jobs: the cycle's peak of task messages in the broker / of unfinished jobs)",
        "",
        f"accepted {counts['accepted']} (content {counts['accepted_content']}, analytics "
        f"{counts['accepted_analytics']}); automatic analytics {counts['automatic_analytics']}; "
        f"rows without a 202 heard {counts['rows_without_a_202']}",
        f"job statuses {counts['job_statuses']}",
        f"failed by error {counts['failed_by_error'] or '{}'}; attempts {counts['attempts_histogram']}",
        f"model calls {counts['model_calls']}: answered {counts['model_calls_answered']} "
        f"(bound {counts['model_calls_bound']}, repairs {counts['model_calls_repair']}), "
        f"unanswered {counts['model_calls_unanswered'] or '{}'}, content jobs answered twice "
        f"{counts['content_jobs_answered_twice']}",
        f"content by source {counts['content_by_source']}; spend by the model server "
        f"{counts['spend_model_server_usd']}, by content rows {counts['spend_content_rows_usd']}, "
        f"the platform's spend ledger {counts['ledger_spend_usd']}",
        f"responses by status {counts['responses_by_status']} (0 = no answer); "
        f"client anomalies {counts['client_anomalies'] or '{}'}",
        "",
        f"{'invariant':<28} {'value':>12} {'limit':>12}  result",
    ]
    for item in audit.invariants:
        verdict = "ok" if item.ok else "FAILED"
        lines.append(
            f"{item.name:<28} {item.value:>12g} {item.limit:>12g}  {verdict}  {item.detail}"
        )
    lines += [f"note: {note}" for note in audit.notes]
    lines.append("")
    lines.append("RESULT: " + ("PASS" if audit.passed else "FAIL"))
    return "\n".join(lines)


def write_json(
    config: CampaignConfig,
    cycles: list[CycleRecord],
    audit: Audit,
    *,
    started: datetime,
    duration: float,
    workdir: Path,
) -> Path:
    config.results_dir.mkdir(parents=True, exist_ok=True)
    path = config.results_dir / f"chaos-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "duration_seconds": round(duration, 1),
        "passed": audit.passed,
        "config": {
            **{key: value for key, value in asdict(config).items() if key != "results_dir"},
            "budget_usd": config.budget,
            "cycle_seconds": config.cycle_length,
            "drain_seconds": config.drain_bound,
            "timings": config.timings,
        },
        "invariants": [{**asdict(item), "ok": item.ok} for item in audit.invariants],
        "counts": audit.counts,
        "notes": audit.notes,
        "cycles": [
            {**asdict(record), "recovery_seconds": record.recovery_seconds} for record in cycles
        ],
        "evidence": audit.evidence,
        "service_logs": str(workdir),
    }
    path.write_text(json.dumps(document, indent=2, default=str))
    return path
