"""The cycles: steady load throughout, one fault per cycle at a random moment, a supervisor's
repair, health before the next cycle; then drain, audit and report."""

from __future__ import annotations

import random
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.chaos.audit import Audit, Invariant, run_audit, unfinished_jobs
from tests.chaos.config import CampaignConfig
from tests.chaos.environment import Environment
from tests.chaos.faults import Fault, all_faults, schedule
from tests.chaos.ledger import Ledger
from tests.chaos.load import LoadGenerator, register_users
from tests.chaos.report import CycleRecord, render, write_json
from tests.support.processes import wait_until

Log = Callable[[str], None]
WATCH_INTERVAL_SECONDS = 2.0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class CampaignResult:
    audit: Audit
    report: str
    json_path: Path
    cycles: list[CycleRecord]

    @property
    def passed(self) -> bool:
        return self.audit.passed


def run_campaign(config: CampaignConfig, *, log: Log = _stderr) -> CampaignResult:
    started = datetime.now(UTC)
    clock = time.monotonic()
    rng = random.Random(config.seed)
    plan = schedule(config.faults, config.cycles, rng)
    faults = all_faults()
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    workdir = config.results_dir / f"chaos-{stamp}-logs"
    ledger = Ledger()
    cycles: list[CycleRecord] = []
    harness_errors: list[str] = []
    log(f"chaos: {config.cycles} cycles ({', '.join(plan)}); service logs in {workdir}")
    with Environment(config, workdir) as env:
        log(f"chaos: stack up at {env.stack.base_url}; budget {config.budget} USD")
        users = register_users(env.stack.base_url, ledger, config.users, uuid.uuid4().hex[:6])
        load = LoadGenerator(
            users, ledger, rate=config.rate, threads=config.threads, seed=config.seed
        )
        load.start()
        try:
            for index, name in enumerate(plan, 1):
                record = _cycle(env, faults[name], index, config, rng, ledger, harness_errors)
                cycles.append(record)
                log(
                    f"chaos: cycle {index}/{len(plan)} {name}: {record.injected}; back after "
                    f"{record.recovery_seconds:.1f} s; accepted so far {len(ledger.accepted)}"
                )
                if harness_errors and not env.healthy():
                    log("chaos: the stack did not recover; stopping the cycles")
                    break
        finally:
            ledger.phase = "drain"
            load.stop()
            for user in users:
                user.close()
        log(f"chaos: load stopped; draining (at most {config.drain_bound:.0f} s)")
        drained = _drain(env, config.drain_bound)
        audit = run_audit(env, ledger, config, drained=drained)
    audit.counts["load_harness_errors"] = load.errors[:20]
    exits = [
        f"cycle {record.cycle}: {line}" for record in cycles for line in record.unexpected_exits
    ]
    audit.counts["services_exited_on_their_own"] = exits
    if exits:
        audit.notes.append(
            f"{len(exits)} service exit(s) no fault caused (restarted by the campaign): "
            + "; ".join(exits)[:600]
        )
    audit.invariants.append(
        Invariant(
            "cycles not completed",
            config.cycles - len(cycles) + len(harness_errors),
            0,
            "; ".join(harness_errors)[:500],
        )
    )
    duration = time.monotonic() - clock
    text = render(config, cycles, audit, duration)
    path = write_json(config, cycles, audit, started=started, duration=duration, workdir=workdir)
    return CampaignResult(audit, text, path, cycles)


def _cycle(
    env: Environment,
    fault: Fault,
    index: int,
    config: CampaignConfig,
    rng: random.Random,
    ledger: Ledger,
    harness_errors: list[str],
) -> CycleRecord:
    record = CycleRecord(cycle=index, fault=fault.name, started_at=time.time())
    begin = time.monotonic()
    # The fault lands at a random moment of the cycle; the waits below are the experiment's
    # schedule (when to break things), not synchronisation.
    ledger.phase = f"cycle {index} before {fault.name}"
    _watch(env, rng.uniform(0.15, 0.85) * config.cycle_length, record)
    try:
        ledger.phase = f"cycle {index} during {fault.name}"
        record.injected = fault.inject(env, rng)
        record.injected_at = time.time()
        record.hold_seconds = fault.hold(config, rng)
        _watch(env, record.hold_seconds, record)
        record.repaired = fault.repair(env)
        record.repaired_at = time.time()
        ledger.phase = f"cycle {index} after {fault.name}"
        record.unexpected_exits = env.wait_recovered()
        record.recovered_at = time.time()
    except Exception as exc:
        harness_errors.append(f"cycle {index} {fault.name}: {type(exc).__name__}: {exc}")
        traceback.print_exc()
        try:
            record.unexpected_exits = env.wait_recovered()
        except Exception as again:
            harness_errors.append(f"cycle {index} recovery: {again}")
        record.recovered_at = time.time()
    _watch(env, begin + config.cycle_length - time.monotonic(), record)
    return record


def _watch(env: Environment, seconds: float, record: CycleRecord) -> None:
    """Let `seconds` pass, sampling the broker's queues and the unfinished jobs every few
    seconds: task messages far above unfinished jobs are duplicates piling up in the broker."""
    end = time.monotonic() + max(0.0, seconds)
    while True:
        messages, unfinished = env.queue_depths()
        record.peak_broker_messages = max(record.peak_broker_messages, messages)
        record.peak_unfinished_jobs = max(record.peak_unfinished_jobs, unfinished)
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(WATCH_INTERVAL_SECONDS, left))


def _drain(env: Environment, bound: float) -> bool:
    """Wait (bounded) until no job is unfinished and no automatic analytics is still scheduled."""
    try:
        wait_until(
            lambda: unfinished_jobs(env) == 0,
            timeout=bound,
            interval=1.0,
            message="every job terminal",
        )
    except TimeoutError:
        return False
    return True
