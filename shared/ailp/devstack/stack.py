"""The background stack of `make up`: one supervisor process keeps the services running (PID
files in `.run/pids` say what runs, logs go to `.run/logs/<service>.log`), plus one service in
the foreground (`make gateway`, the images' entrypoint)."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from ailp.config import Settings
from ailp.devstack import procfs, services
from ailp.devstack.console import error, log, ok, warn
from ailp.devstack.environment import (
    check_redis_policy,
    ensure_database,
    ensure_secret,
    service_env,
)
from ailp.devstack.pidfiles import (
    SUPERVISOR,
    Paths,
    read_record,
    recorded_names,
    remove_record,
    supervisor_running,
    write_record,
)
from ailp.devstack.process import ManagedProcess, port_in_use, signal_group, url_host
from ailp.devstack.supervisor import Supervisor, stamp
from ailp.devstack.web import ensure_web_build


def run(name: str, args: list[str]) -> int:
    """Exec service `name` in the foreground (signals reach it directly), with its own emptied
    Prometheus multiprocess folder; any other name is an `ailp` command (migrate, make-admin …)
    run without one."""
    paths = Paths.here()
    env = service_env(paths)
    if name in services.SERVICES:
        if args:
            raise SystemExit(f"ailp stack run {name}: takes no arguments")
        argv = services.settings_command(name, Settings())
        metrics = paths.metrics(name)
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    else:
        argv = [sys.executable, "-m", "ailp.cli", name, *args]
    print(f"ailp: starting {name}: {shlex.join(argv)}", file=sys.stderr, flush=True)
    os.execvpe(argv[0], argv, env)


def migrate(settings: Settings) -> int:
    ensure_database(settings)
    paths = Paths.here()
    argv = [sys.executable, "-m", "ailp.cli", "migrate"]
    return subprocess.run(argv, env=service_env(paths), check=False).returncode


# --- supervise: the background process that `up` starts -------------------------------------------
def build_processes(names: Iterable[str], settings: Settings, paths: Paths) -> list[ManagedProcess]:
    env = service_env(paths)
    return [
        ManagedProcess(
            name=name,
            argv=services.settings_command(name, settings),
            env=env,
            log_path=paths.logs / f"{name}.log",
            metrics_dir=paths.metrics(name),
            cwd=paths.root,
        )
        for name in names
    ]


def supervise(names: list[str], stop_timeout: float) -> int:
    paths = Paths.here()
    processes = build_processes(names, Settings(), paths)

    def started(process: ManagedProcess, restarts: int) -> None:
        write_record(paths, process.name, process.pid, restarts)

    def say(message: str) -> None:
        print(message, flush=True)

    for process in processes:
        with process.log_path.open("a", encoding="utf-8") as log_file:
            log_file.write(f"\n===== {stamp()}: starting {process.name} =====\n")
    write_record(paths, SUPERVISOR, os.getpid())
    try:
        Supervisor(processes, on_start=started, log=say, stop_timeout=stop_timeout).run()
    finally:
        for process in processes:
            if not process.alive:
                remove_record(paths, process.name)
        remove_record(paths, SUPERVISOR)
    return 0


# --- up -----------------------------------------------------------------------------------------
def _tail(paths: Paths, name: str, lines: int = 40) -> None:
    path = paths.logs / f"{name}.log"
    if not path.exists() or not path.stat().st_size:
        warn(f"{name} wrote no log ({path} is empty or missing)")
        return
    text = "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    print(
        f"----- last {lines} lines of {paths.rel(path)} -----\n{text}\n----- end of {name} -----",
        file=sys.stderr,
    )


def _prepare_web(paths: Paths, settings: Settings, env: dict[str, str]) -> Path | None:
    """Built when missing or stale, served by the gateway at / (same origin as the API). A
    failed build is not fatal: the API starts without the app."""
    dist = paths.web / "dist"
    configured = settings.web_dist_dir
    if not configured or Path(configured).resolve() == dist.resolve():
        if ensure_web_build(paths):
            env["WEB_DIST_DIR"] = str(dist)
            return dist
        env.pop("WEB_DIST_DIR", None)
        for line in (
            "#" * 80,
            "The web app could not be built (see above). Starting the API WITHOUT it.",
            "Fix the problem, then run 'make web-build' and 'make down && make up'.",
            "#" * 80,
        ):
            warn(line)
        return None
    if (Path(configured) / "index.html").exists():
        return Path(configured)  # set in the environment or .env: served as it is
    warn(f"WEB_DIST_DIR={configured} has no index.html: the gateway will not serve a web app")
    return None


def up(ready_timeout: float, stop_timeout: float) -> int:
    paths = Paths.here()
    secret = ensure_secret(paths.root / ".env")
    if secret:
        os.environ["JWT_SECRET"] = secret
        ok("generated a random JWT_SECRET into .env (kept for later starts)")
    settings = Settings()
    ensure_database(settings)
    check_redis_policy(settings)
    paths.logs.mkdir(parents=True, exist_ok=True)
    migrate_log = paths.logs / "migrate.log"
    log(f"migrating the database (log: {paths.rel(migrate_log)})")
    with migrate_log.open("a", encoding="utf-8") as output:
        output.write(f"\n===== {stamp()}: migrate =====\n")
        output.flush()
        done = subprocess.run(
            [sys.executable, "-m", "ailp.cli", "migrate"],
            env=service_env(paths),
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        _tail(paths, "migrate")
        error("migration failed (see above); nothing was started")
        return 1
    ok("database is at the latest migration")
    env = service_env(paths)
    web_app = _prepare_web(paths, settings, env)

    problems: list[str] = []
    before: dict[str, int] = {}
    watched = list(services.SERVICES)
    supervisor = supervisor_running(paths)
    if supervisor is not None:
        ok(f"the stack is already running (supervisor pid {supervisor.pid}); leaving it alone")
        watched = recorded_names(paths)
        before = {n: r.restarts for n in watched if (r := read_record(paths, n)) is not None}
    else:
        to_start = []
        for name in services.SERVICES:
            record = read_record(paths, name)
            address = services.listen_port(name, settings)
            if record is not None and (record.running or record.orphans):
                problems.append(
                    f"{name}: processes of an earlier start (pid {record.pid}) still run; run "
                    "'make down' first (it stops them), then 'make up'"
                )
            elif address is not None and port_in_use(*address):
                problems.append(
                    f"{name}: port {address[1]} is already in use by another process; set a "
                    "different port in .env (PORT, CONTENT_METRICS_PORT, ANALYTICS_METRICS_PORT, "
                    "SWEEPER_METRICS_PORT) or stop that process"
                )
            else:
                remove_record(paths, name)
                to_start.append(name)
        watched = to_start
        if to_start:
            _start_supervisor(paths, to_start, env, stop_timeout)
    failed, not_ready = _wait_ready(paths, settings, watched, before, ready_timeout)
    status = 0
    for name in failed:
        error(f"{name} is not running (it exited during start-up; the supervisor retries it)")
        _tail(paths, name)
        status = 1
    for name in not_ready:
        url = services.health_url(name, settings)
        if name == "gateway":
            error(f"gateway did not answer 200 on {url} within {ready_timeout:.0f}s")
            status = 1
        else:
            warn(f"{name} is running but {url} did not answer within {ready_timeout:.0f}s")
        _tail(paths, name)
    for problem in problems:
        error(problem)
        status = 1
    _summary(paths, settings, web_app)
    if status:
        error(
            "not everything started (see above). Whatever did start is still running: "
            "'make down' stops it."
        )
        return 1
    ok("all services are up")
    return 0


def _start_supervisor(
    paths: Paths, names: list[str], env: dict[str, str], stop_timeout: float
) -> None:
    argv = [
        sys.executable,
        "-m",
        "ailp.cli",
        "stack",
        "supervise",
        f"--stop-timeout={stop_timeout}",
        *names,
    ]
    with (paths.logs / "supervisor.log").open("ab") as output:
        process = subprocess.Popen(
            argv,
            cwd=paths.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    log(f"started the supervisor (pid {process.pid}): {', '.join(names)}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if all(read_record(paths, name) is not None for name in names):
            return
        time.sleep(0.1)
    if process.poll() is not None:
        _tail(paths, "supervisor")
        raise SystemExit("the supervisor exited at once (see above)")


def _wait_ready(
    paths: Paths, settings: Settings, names: list[str], before: dict[str, int], timeout: float
) -> tuple[list[str], list[str]]:
    """Poll with one deadline; a service that exits (the supervisor restarts it) has failed."""
    if names:
        log(f"waiting up to {timeout:.0f}s for {' '.join(names)}")
    failed: list[str] = []
    pending = list(names)

    def broken(name: str) -> bool:
        record = read_record(paths, name)
        return record is None or not record.running or record.restarts > before.get(name, 0)

    deadline = time.monotonic() + timeout
    while pending:
        for name in list(pending):
            url = services.health_url(name, settings)
            if broken(name):
                failed.append(name)
                pending.remove(name)
            elif url is None or services.http_ok(url):
                ok(f"{name} is ready" + (f" ({url})" if url else ""))
                pending.remove(name)
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    # One that answered (or has no endpoint) must still be alive now.
    failed += [n for n in names if n not in failed and n not in pending and broken(n)]
    return failed, pending


def _summary(paths: Paths, settings: Settings, web_app: Path | None) -> None:
    api = services.gateway_url(settings)
    metrics = f"http://{url_host(settings.metrics_host)}"
    print(
        f"""
ailp
  web app        {api + "/" if web_app else "not served (see the warning above)"}
  API            {api}/api   (health: {api}/api/health)
  API docs       {api}/docs
  metrics        gateway           {api}/metrics
                 content-worker    {metrics}:{settings.content_metrics_port}/metrics
                 analytics-worker  {metrics}:{settings.analytics_metrics_port}/metrics
                 sweeper           {metrics}:{settings.sweeper_metrics_port}/metrics
  logs           {paths.rel(paths.logs)}/<service>.log   (make logs; restarts: supervisor.log)
  processes      {paths.rel(paths.pids)}/<service>.pid   (make status)
  stop           make down
""",
        file=sys.stderr,
    )


# --- down, status, logs, clean ------------------------------------------------------------------
def _wait_gone(check: Iterable[int], timeout: float) -> list[int]:
    remaining = list(check)
    deadline = time.monotonic() + timeout
    while remaining and time.monotonic() < deadline:
        remaining = [pgid for pgid in remaining if procfs.group_members(pgid)]
        if remaining:
            time.sleep(0.2)
    return remaining


def down(stop_timeout: float) -> int:
    """Stop exactly what the PID files name: the supervisor (it stops its services: SIGTERM,
    then SIGKILL after the timeout), then whatever a killed supervisor left behind. Nothing else
    is touched; PostgreSQL and Redis keep running."""
    paths = Paths.here()
    supervisor = supervisor_running(paths)
    if supervisor is not None:
        log(f"stopping the supervisor (pid {supervisor.pid}) and its services")
        journal = paths.logs / "supervisor.log"
        offset = journal.stat().st_size if journal.exists() else 0
        os.kill(supervisor.pid, signal.SIGTERM)
        deadline = time.monotonic() + stop_timeout + 10
        while supervisor.running and time.monotonic() < deadline:
            time.sleep(0.2)
        if supervisor.running:
            warn("the supervisor did not stop in time: SIGKILL")
            os.kill(supervisor.pid, signal.SIGKILL)
        with journal.open(errors="replace") as lines:  # what it did, e.g. "gateway stopped"
            lines.seek(offset)
            for line in lines.read().splitlines():
                message = line.split(" ", 1)[-1]
                (ok if message.endswith(" stopped") else log)(message)
    remove_record(paths, SUPERVISOR)
    stopping: dict[str, int] = {}
    for name in recorded_names(paths):
        record = read_record(paths, name)
        if record is not None and (record.running or record.orphans):
            log(f"stopping {name} (process group {record.pid}): SIGTERM")
            signal_group(record.pid, signal.SIGTERM)
            stopping[name] = record.pid
        else:
            ok(f"{name} stopped")
            remove_record(paths, name)
    left = _wait_gone(stopping.values(), stop_timeout)
    for name, pgid in stopping.items():
        if pgid in left:
            warn(
                f"{name} (process group {pgid}) did not stop within {stop_timeout:.0f}s: SIGKILL "
                "(its unfinished jobs are recovered by the sweeper)"
            )
            signal_group(pgid, signal.SIGKILL)
            if _wait_gone([pgid], 5):
                error(f"{name} (process group {pgid}) is still alive after SIGKILL")
                return 1
        ok(f"{name} stopped")
        remove_record(paths, name)
    ok("all recorded services are stopped")
    return 0


def status() -> int:
    paths = Paths.here()
    settings = Settings()
    supervisor = supervisor_running(paths)
    print(f"{'SERVICE':<18} {'STATE':<10} {'PID':<8} {'RESTARTS':<9} ENDPOINT")
    print(
        f"{SUPERVISOR:<18} {'running' if supervisor else 'stopped':<10} "
        f"{supervisor.pid if supervisor else '-'!s:<8} {'-':<9} -"
    )
    for name in services.SERVICES:
        record = read_record(paths, name)
        endpoint = services.health_url(name, settings) or "-"
        if record is None:
            state, pid, restarts = "stopped", "-", "-"
        else:
            pid, restarts = str(record.pid), str(record.restarts)
            state = "running" if record.running else "orphans" if record.orphans else "dead"
        if state == "running" and endpoint != "-":
            endpoint = f"{endpoint} -> HTTP {services.http_status(endpoint) or '000'}"
        print(f"{name:<18} {state:<10} {pid:<8} {restarts:<9} {endpoint}")
    print(f"\nlogs: {paths.rel(paths.logs)}/<service>.log (make logs)")
    if supervisor is None and not any(
        (r := read_record(paths, n)) is not None and r.running for n in services.SERVICES
    ):
        print("nothing is running: 'make up' starts everything")
    return 0


def logs(lines: int) -> int:
    """Follow every service log (Ctrl-C to stop)."""
    paths = Paths.here()
    files = sorted(str(p) for p in paths.logs.glob("*.log"))
    if not files:
        raise SystemExit(f"no logs yet in {paths.rel(paths.logs)}: 'make up' first")
    os.execvp("tail", ["tail", "-n", str(lines), "-F", *files])


def clean() -> int:
    """Remove .run (logs, PID files, metrics folders); refuses while services recorded there run,
    and keeps the data of a Redis server that `make up` started and that still runs."""
    paths = Paths.here()
    if not paths.run.is_dir():
        ok("nothing to clean")
        return 0
    if supervisor_running(paths) is not None:
        raise SystemExit("the stack is still running: 'make down' first")
    for name in recorded_names(paths):
        record = read_record(paths, name)
        if record is not None and (record.running or record.orphans):
            raise SystemExit(f"{name} is still running: 'make down' first")
    redis_in_use = []
    for pid_file in paths.run.glob("redis/*/redis.pid"):
        try:
            os.kill(int(pid_file.read_text().split()[0]), 0)
            redis_in_use.append(pid_file.parent)
        except (OSError, ValueError, IndexError):
            continue
    for entry in paths.run.iterdir():
        if entry.name == "redis" and redis_in_use:
            warn(
                f"keeping {paths.rel(entry)}: a Redis server started by make up still uses it; "
                "stop it with redis-cli shutdown, then clean again"
            )
        elif entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    if not any(paths.run.iterdir()):
        paths.run.rmdir()
    ok(f"cleaned {paths.rel(paths.run)}")
    return 0
