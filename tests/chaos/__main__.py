"""`python -m tests.chaos --cycles N --seed S [--json-out DIR]` (what `make chaos` runs).

Exit status: 0 when every invariant holds, 1 when one fails (loss, duplicate, stuck job,
overspend, a 5xx other than 503, a cycle that could not complete), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from tests.chaos.campaign import run_campaign
from tests.chaos.config import CampaignConfig, Prices
from tests.chaos.faults import FAULT_NAMES


def parse_args(argv: list[str] | None) -> CampaignConfig:
    defaults = CampaignConfig()
    parser = argparse.ArgumentParser(
        prog="python -m tests.chaos",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cycles", type=int, default=defaults.cycles)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--json-out",
        type=Path,
        default=defaults.results_dir,
        help="directory for chaos-<UTC time>.json and the services' logs (default bench-results)",
    )
    parser.add_argument(
        "--faults",
        default="",
        help=f"comma-separated subset of: {', '.join(FAULT_NAMES)} (default: all)",
    )
    parser.add_argument(
        "--fast", action="store_true", help="the test suite's short job timings (leases of 4 s)"
    )
    parser.add_argument("--cycle-seconds", type=float, default=0.0, help="default 45 (fast: 12)")
    parser.add_argument("--pg-outage-seconds", type=float, default=defaults.pg_outage_seconds)
    parser.add_argument("--freeze-seconds", type=float, default=defaults.freeze_seconds)
    parser.add_argument("--rate", type=float, default=defaults.rate, help="requests per second")
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--users", type=int, default=defaults.users)
    parser.add_argument(
        "--budget-usd", type=float, default=0.0, help="the day's model budget (default: scaled)"
    )
    parser.add_argument("--content-workers", type=int, default=defaults.content_workers)
    parser.add_argument("--drain-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    faults = tuple(name.strip() for name in args.faults.split(",") if name.strip())
    unknown = sorted(set(faults) - set(FAULT_NAMES))
    if unknown:
        parser.error(f"unknown faults {unknown}; known: {', '.join(FAULT_NAMES)}")
    if args.cycles < 1 or args.rate <= 0:
        parser.error("--cycles and --rate must be positive")
    return CampaignConfig(
        cycles=args.cycles,
        seed=args.seed,
        faults=faults,
        fast=args.fast,
        cycle_seconds=args.cycle_seconds,
        pg_outage_seconds=args.pg_outage_seconds,
        freeze_seconds=args.freeze_seconds,
        rate=args.rate,
        threads=args.threads,
        users=args.users,
        budget_usd=args.budget_usd,
        prices=Prices(),
        content_workers=args.content_workers,
        drain_seconds=args.drain_seconds,
        results_dir=args.json_out,
    )


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")  # unwinds: every server is stopped

    signal.signal(signal.SIGTERM, interrupt)
    result = run_campaign(config)
    print(result.report)
    print(f"\nwritten: {result.json_path}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
