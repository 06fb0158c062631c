"""`ailp` command line: migrations, the sweeper, admin accounts.

ailp migrate                 apply database migrations
ailp sweeper                 run the job sweeper in the foreground
ailp make-admin USERNAME     give an existing user the admin role
"""

from __future__ import annotations

import argparse
import sys

from ailp.config import get_settings
from ailp.logging import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ailp", description="ailp platform commands")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    commands.add_parser("sweeper", help="re-publish lost jobs and fail exhausted ones, forever")
    admin = commands.add_parser("make-admin", help="give an existing user the admin role")
    admin.add_argument("username")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(f"ailp-{args.command}", settings.log_level, settings.log_format)

    if args.command == "migrate":
        from ailp.db.migrate import upgrade

        upgrade()
        print("database is at the latest migration")
        return 0
    if args.command == "sweeper":
        from ailp.jobs.sweeper import run_forever
        from ailp.queue.celery_app import make_celery

        run_forever(make_celery("ailp-sweeper", settings), settings)
        return 0
    if args.command == "make-admin":
        return _make_admin(args.username)
    return 2


def _make_admin(username: str) -> int:
    from sqlalchemy import func, update

    from ailp.db.engine import session_scope
    from ailp.models import User
    from ailp.models.enums import Role

    with session_scope() as session:
        changed = session.execute(
            update(User)
            .where(func.lower(User.username) == username.lower())
            .values(role=Role.admin.value)
        ).rowcount
    if not changed:
        print(f"no user named {username!r}", file=sys.stderr)
        return 1
    print(f"{username} is now an admin")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
