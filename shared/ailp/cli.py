"""`ailp` command line: migrations, the sweeper, admin accounts.

ailp migrate                 apply database migrations
ailp sweeper                 run the job sweeper in the foreground
ailp make-admin USERNAME     give an existing user the admin role
ailp learner-model fit       fit BKT parameters per concept from all responses, store a version
ailp learner-model fit --from-csv FILE [--format dkt|csv]   … from exported history instead
ailp config --export         print the effective settings (secrets masked; --help for options)
ailp config --env-example    print .env.example, generated from the settings' descriptions
ailp stack up|down|status|logs|run SERVICE   the local dev stack (ailp.devstack)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ailp.config import Settings, get_settings
from ailp.devstack import cli as devstack_cli
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
    model = commands.add_parser("learner-model", help="the learner model's fitted parameters")
    model_commands = model.add_subparsers(dest="model_command", required=True)
    fit = model_commands.add_parser(
        "fit",
        help="fit BKT (with forgetting) per concept by EM, evaluate on held-out learners and "
        "store the parameters as the newest version",
    )
    fit.add_argument(
        "--from-csv",
        type=Path,
        metavar="FILE",
        help="fit from exported history instead of the platform's responses",
    )
    fit.add_argument(
        "--format",
        choices=("auto", "dkt", "csv"),
        default="auto",
        help="dkt: three lines per learner (count; concept ids; 0/1 flags); csv: header "
        "learner,concept,correct,answered_at; auto (default): csv when the header is there",
    )
    _add_config_parser(commands)
    devstack_cli.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "config":
        return _config(args)
    if args.command == "stack":
        return devstack_cli.main(args)

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
    if args.command == "learner-model":
        return _fit_learner_model(args.from_csv, args.format)
    return 2


def _fit_learner_model(path: Path | None, file_format: str) -> int:
    from ailp.learner_model import service
    from ailp.learner_model.answers import AnswerFileError

    settings = get_settings()
    if path is None:
        print("reading every response on the platform…", flush=True)
        answers = service.read_platform_answers()
        source = "platform"
    else:
        try:
            answers = service.read_file(path, file_format)  # type: ignore[arg-type]
        except (OSError, AnswerFileError) as exc:
            print(f"cannot read {path}: {exc}", file=sys.stderr)
            return 1
        source = f"file {path.name}"
    if answers.answers == 0:
        print("no answers to fit from: nothing stored", file=sys.stderr)
        return 1
    print(
        f"fitting {answers.answers:,} answers of {len(answers.learner_keys):,} learners over "
        f"{len(answers.concepts):,} concepts…",
        flush=True,
    )
    stored = service.fit_and_store(answers, service.options_from(settings), source=source)
    result, evaluation = stored.result, stored.result.evaluation
    print(
        f"version {stored.version_id}: {len(result.parameters)} concepts fitted (the others "
        f"keep the defaults) in {result.version.duration_seconds:.1f} s"
    )
    print(
        f"held out {evaluation.held_out_learners:,} learners, {evaluation.held_out_answers:,} "
        f"answers: AUC {_figure(evaluation.auc)} (defaults {_figure(evaluation.baseline_auc)}), "
        f"log loss {_figure(evaluation.log_loss)} (defaults "
        f"{_figure(evaluation.baseline_log_loss)})"
    )
    return 0


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


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
    # Settings() rather than get_settings(): reading the settings needs no signing secret (the
    # scripts read theirs before `make up` has written one); only running services refuse a weak one.
    settings = settings_export.defaults() if args.defaults else Settings()
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
    from ailp.jobs import batch

    settings = get_settings()
    with batch.exclusive_run() as held:
        if not held:
            print("another recompute-analytics command is running; wait for it", file=sys.stderr)
            return 1
        return _run_batch(settings, days, chunk, new=new, wait=wait)


def _run_batch(settings: Settings, days: int, chunk: int, *, new: bool, wait: bool) -> int:
    import time

    import redis

    from ailp.db.engine import session_scope
    from ailp.jobs import batch
    from ailp.models import BatchRun

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
        batch.publish_chunk(client, job_ids, settings)
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
