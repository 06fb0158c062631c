"""`ailp` command line: migrations, the sweeper, admin accounts.

ailp migrate                 apply database migrations
ailp sweeper                 run the job sweeper in the foreground
ailp make-admin USERNAME     give an existing user the admin role
ailp config --export         print the effective settings (secrets masked; --help for options)
ailp config --env-example    print .env.example, generated from the settings' descriptions
"""

from __future__ import annotations

import argparse
import sys

from ailp.config import get_settings
from ailp.logging import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ailp", description="ailp platform commands")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser(
        "migrate", help="apply database migrations (alembic upgrade head)"
    )
    migrate.add_argument(
        "--check",
        action="store_true",
        help="only compare the database's revision with the code's: 0 at head, 3 behind (run "
        "`ailp migrate`), 4 unknown (a newer release's schema)",
    )
    commands.add_parser("sweeper", help="re-publish lost jobs and fail exhausted ones, forever")
    admin = commands.add_parser("make-admin", help="give an existing user the admin role")
    admin.add_argument("username")
    batch = commands.add_parser(
        "recompute-analytics",
        help="queue an analytics job for every learner and show progress; resumes an interrupted run",
    )
    batch.add_argument(
        "--days", type=int, help="analytics window (default: ANALYTICS_RECOMPUTE_DAYS)"
    )
    batch.add_argument("--chunk", type=int, default=1000, help="learners per submitted chunk")
    batch.add_argument(
        "--new", action="store_true", help="start a new run even if one is unfinished"
    )
    batch.add_argument("--no-wait", action="store_true", help="return once every job is submitted")
    _add_config_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "config":
        return _config(args)

    settings = get_settings()
    configure_logging(f"ailp-{args.command}", settings.log_level, settings.log_format)

    if args.command == "migrate" and args.check:
        return _check_migrations()
    if args.command == "migrate":
        from ailp.db.migrate import upgrade

        upgrade()
        print("database is at the latest migration")
        return 0
    if args.command == "sweeper":
        from ailp.jobs.sweeper import run_forever

        run_forever(settings)
        return 0
    if args.command == "make-admin":
        return _make_admin(args.username)
    if args.command == "recompute-analytics":
        days = args.days or settings.analytics_recompute_days
        return _recompute_analytics(days, args.chunk, new=args.new, wait=not args.no_wait)
    return 2


def _add_config_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = commands.add_parser(
        "config", help="print the settings (one source: shared/ailp/config.py)"
    )
    action = config.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--export",
        action="store_true",
        help="the effective settings (environment, .env, defaults); secrets masked",
    )
    action.add_argument(
        "--env-example", action="store_true", help=".env.example, generated from the settings"
    )
    config.add_argument(
        "--defaults", action="store_true", help="with --export: the defaults, ignoring env/.env"
    )
    config.add_argument(
        "--format",
        choices=["env", "shell", "json"],
        default="env",
        help="with --export: NAME=value lines, `export NAME='value'` lines for eval, or JSON",
    )
    config.add_argument("--keys", help="with --export: comma-separated names (default: all)")
    config.add_argument(
        "--show-secrets",
        action="store_true",
        help="with --export: print secrets (API key, JWT secret, URL passwords) in clear",
    )
    config.add_argument("--write", metavar="PATH", help="with --env-example: write to PATH")


def _config(args: argparse.Namespace) -> int:
    from ailp import settings_export

    if args.env_example:
        text = settings_export.render_env_example()
        if args.write:
            with open(args.write, "w", encoding="utf-8") as file:
                file.write(text)
            print(f"wrote {args.write}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    settings = settings_export.defaults() if args.defaults else get_settings()
    keys = args.keys.split(",") if args.keys else None
    try:
        text = settings_export.export(
            settings, fmt=args.format, keys=keys, show_secrets=args.show_secrets
        )
    except KeyError as exc:
        print(f"ailp config: {exc.args[0]}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def _check_migrations() -> int:
    from ailp.db.migrate import is_known_revision, revision_status

    current, head = revision_status()
    if current == head:
        print(f"database is at the latest migration ({head})")
        return 0
    if current is None or is_known_revision(current):
        print(f"database is at {current or 'no migration'}, the code at {head}: run `ailp migrate`")
        return 3
    print(
        f"database is at {current}, which this release does not know (the code's head is {head}):"
        " it comes from a newer release; deploy that release or restore an older backup",
        file=sys.stderr,
    )
    return 4


def _make_admin(username: str) -> int:
    from sqlalchemy import func, update

    from ailp.db.engine import session_scope
    from ailp.db.rows import affected_rows
    from ailp.models import User
    from ailp.models.enums import Role

    with session_scope() as session:
        changed = affected_rows(
            session,
            update(User)
            .where(func.lower(User.username) == username.lower())
            .values(role=Role.admin.value),
        )
    if not changed:
        print(f"no user named {username!r}", file=sys.stderr)
        return 1
    print(f"{username} is now an admin")
    return 0


def _recompute_analytics(days: int, chunk: int, *, new: bool, wait: bool) -> int:
    import time

    import redis

    from ailp.db.engine import session_scope
    from ailp.jobs import batch
    from ailp.models import BatchRun

    settings = get_settings()
    client = redis.Redis.from_url(settings.celery_broker_url)
    with session_scope() as session:
        run, resumed = batch.open_run(session, days=days, new=new)
        run_id, total = run.id, run.total
    print(f"{'resuming' if resumed else 'started'} batch {run_id} for {total} learners", flush=True)
    started = time.monotonic()

    def show(progress: batch.Progress) -> None:
        rate = progress.finished / max(time.monotonic() - started, 1e-9)
        print(
            f"submitted {progress.submitted}/{progress.total} · finished {progress.finished} "
            f"(failed {progress.failed}) · queued {progress.queued} · running {progress.running} "
            f"· {rate:.0f} learners/s",
            flush=True,
        )

    while True:
        with session_scope() as session:
            # Locked: a second command resuming the same run waits instead of repeating a chunk.
            current = session.get(BatchRun, run_id, with_for_update=True)
            assert current is not None
            job_ids = batch.submit_chunk(session, current, chunk=chunk, settings=settings)
        if not job_ids:
            break
        batch.publish_chunk(client, job_ids)
        with session_scope() as session:
            show(batch.progress(session, run_id))
    if not wait:
        return 0
    while True:
        with session_scope() as session:
            progress = batch.progress(session, run_id)
        show(progress)
        if progress.done:
            print(f"done: {progress.succeeded} succeeded, {progress.failed} failed", flush=True)
            return 0 if progress.failed == 0 else 1
        time.sleep(1)


if __name__ == "__main__":
    raise SystemExit(main())
