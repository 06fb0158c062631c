"""`ailp stack …`: the local dev stack behind `make up / down / status / logs` and the images'
entrypoint (`ailp stack run <service>`)."""

from __future__ import annotations

import argparse
import os
import sys

from ailp.devstack import services


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stack = commands.add_parser("stack", help="the local dev stack (make up/down/status/logs)")
    actions = stack.add_subparsers(dest="stack_command", required=True)
    up = actions.add_parser(
        "up", help="create the database, migrate, build the web app, start the supervised services"
    )
    up.add_argument("--timeout", type=float, default=90, help="seconds to wait for readiness")
    up.add_argument("--stop-timeout", type=float, default=20, help="grace period when stopping")
    down = actions.add_parser("down", help="stop what `ailp stack up` started (PID files)")
    down.add_argument("--timeout", type=float, default=20, help="grace period before SIGKILL")
    actions.add_parser("status", help="what runs (PID files), restarts, health")
    logs = actions.add_parser("logs", help="follow every service log")
    logs.add_argument(
        "--lines", type=int, default=int(os.environ.get("LINES", "50")), help="lines of history"
    )
    run = actions.add_parser(
        "run",
        help=f"one service in the foreground ({', '.join(services.SERVICES)}) or an ailp "
        "command (migrate, make-admin USERNAME, recompute-analytics …)",
    )
    run.add_argument("service")
    run.add_argument("args", nargs=argparse.REMAINDER)
    actions.add_parser("migrate", help="create the database when missing, apply the migrations")
    actions.add_parser("create-database", help="create DATABASE_URL's database when missing")
    actions.add_parser("secret", help="write a random JWT_SECRET into .env unless one is set")
    web = actions.add_parser("web-build", help="build services/web/dist when missing or stale")
    web.add_argument("--check", action="store_true", help="only say: exit 1 when it is stale")
    actions.add_parser("web-deps", help="npm ci when node_modules is missing or stale")
    actions.add_parser("web-dev", help="Vite's dev server proxying the API to the gateway")
    actions.add_parser("clean", help="remove .run (refuses while services run)")
    actions.add_parser("shell-env", help="the endpoints as NAME=value lines, for the scripts")
    supervise = actions.add_parser("supervise", help="internal: the process `up` starts")
    supervise.add_argument("--stop-timeout", type=float, default=20)
    supervise.add_argument("names", nargs="+", choices=services.SERVICES)


def main(args: argparse.Namespace) -> int:
    # Reading the settings needs no signing secret: only the services refuse a weak one.
    from ailp.config import Settings
    from ailp.devstack import environment, stack, web
    from ailp.devstack.console import ok
    from ailp.devstack.pidfiles import Paths

    command = args.stack_command
    if command == "up":
        return stack.up(args.timeout, args.stop_timeout)
    if command == "down":
        return stack.down(args.timeout)
    if command == "status":
        return stack.status()
    if command == "logs":
        return stack.logs(args.lines)
    if command == "run":
        return stack.run(args.service, args.args)
    if command == "supervise":
        return stack.supervise(args.names, args.stop_timeout)
    if command == "clean":
        return stack.clean()
    if command == "secret":
        if environment.ensure_secret(Paths.here().root / ".env"):
            ok("generated a random JWT_SECRET into .env (kept for later starts)")
        return 0
    paths = Paths.here()
    if command == "web-build":
        if args.check:
            return 1 if web.web_build_stale(paths) else 0
        return 0 if web.ensure_web_build(paths) else 1
    if command == "web-deps":
        return 0 if web.ensure_web_deps(paths) else 1
    settings = Settings()
    if command == "migrate":
        return stack.migrate(settings)
    if command == "create-database":
        environment.ensure_database(settings)
        return 0
    if command == "web-dev":
        return web.web_dev(paths, settings)
    if command == "shell-env":
        sys.stdout.write(environment.shell_env(settings, paths))
        return 0
    return 2
