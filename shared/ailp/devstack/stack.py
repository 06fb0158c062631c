"""The background stack of `make up`: one supervisor process keeps the services running; PID
files in `.run/pids` say what runs; logs go to `.run/logs/<service>.log`.

`.run/pids/<name>.pid` holds the PID (also the process group: each service has its own session),
its start time from /proc (so a recycled PID is never mistaken for ours) and, for a service, how
often the supervisor restarted it. `make down` stops exactly what these files name.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from dotenv import dotenv_values

from ailp.config import Settings
from ailp.devstack import procfs, services
from ailp.devstack.process import ManagedProcess, port_in_use, signal_group, url_host
from ailp.devstack.supervisor import Supervisor, stamp

SUPERVISOR = "supervisor"

# --- output ---------------------------------------------------------------------------------------
_COLOUR = sys.stderr.isatty() and not os.environ.get("NO_COLOR")


def _say(colour: str, prefix: str, message: str) -> None:
    if _COLOUR:
        prefix = f"\033[{colour}m{prefix}\033[0m"
    print(f"{prefix} {message}", file=sys.stderr, flush=True)


def log(message: str) -> None:
    _say("34", "==>", message)


def ok(message: str) -> None:
    _say("32", " ok", message)


def warn(message: str) -> None:
    _say("1;33", "WARNING:", message)


def error(message: str) -> None:
    _say("1;31", "ERROR:", message)


# --- where things live ----------------------------------------------------------------------------
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


# --- environment and settings -------------------------------------------------------------------
def service_env(paths: Paths) -> dict[str, str]:
    """The services' environment: this one, plus `.env`'s lines for variables it does not set
    (the services read `.env` themselves too; exporting it also reaches what Settings does not
    read)."""
    env = dict(os.environ)
    for key, value in dotenv_values(paths.root / ".env").items():
        if value is not None and key.upper() not in env:
            env[key.upper()] = value
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def ensure_secret(env_file: Path) -> str | None:
    """No running stack signs tokens with a value from the repository: on the first start a
    random JWT_SECRET is written into .env (created with mode 600 if missing) and kept from then
    on. A JWT_SECRET already set in the environment or .env is left alone. Returns the new
    secret, None when there was one."""
    current = os.environ.get("JWT_SECRET") or (
        dotenv_values(env_file).get("JWT_SECRET") if env_file.exists() else None
    )
    if current:
        return None
    secret = secrets.token_urlsafe(48)
    if not env_file.exists():
        env_file.touch(mode=0o600)
    text = env_file.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.strip().removeprefix("export").strip()
        if stripped.partition("=")[0].strip() == "JWT_SECRET" and "=" in stripped:
            # A `JWT_SECRET=` line left empty (e.g. copied from .env.example): fill it in place.
            lines[index] = f"JWT_SECRET={secret}" + ("\n" if line.endswith("\n") else "")
            break
    else:
        if text and not text.endswith("\n"):
            lines.append("\n")
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        lines.append(f"# Generated by make up on {day}: signs access tokens; keep it private.\n")
        lines.append(f"JWT_SECRET={secret}\n")
    partial = env_file.with_name(env_file.name + ".partial")
    partial.write_text("".join(lines), encoding="utf-8")
    partial.chmod(env_file.stat().st_mode & 0o777)
    partial.replace(env_file)
    return secret


def endpoints(settings: Settings) -> dict[str, str]:
    """DATABASE_URL and REDIS_URL taken apart for the scripts (pg_isready, psql, redis-cli)."""
    db = urlsplit(settings.database_url)
    if not db.scheme.startswith("postgres"):
        raise ValueError(f"DATABASE_URL is not a postgresql:// URL: {db.scheme}://...")
    query = parse_qs(db.query)
    libpq = db._replace(scheme="postgresql")
    rd = urlsplit(settings.redis_url)
    if rd.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL is not a redis:// URL: {rd.scheme}://...")
    user = unquote(db.username or "") or "postgres"
    return {
        "PG_HOST": db.hostname or query.get("host", [""])[0],
        "PG_PORT": str(db.port or int(query.get("port", ["5432"])[0])),
        "PG_USER": user,
        "PG_DB": unquote(db.path.lstrip("/")) or user,
        "PG_URL": libpq.geturl(),
        "PG_ADMIN_URL": libpq._replace(path="/postgres").geturl(),
        "RD_HOST": rd.hostname or "127.0.0.1",
        "RD_PORT": str(rd.port or 6379),
        "RD_PASSWORD": unquote(rd.password or ""),
        "RD_TLS": "1" if rd.scheme == "rediss" else "",
    }


def shell_env(settings: Settings, paths: Paths) -> str:
    """`NAME='value'` lines for the scripts to eval: the endpoints and AILP_RUN_DIR."""
    values = {
        **endpoints(settings),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "AILP_RUN_DIR": str(paths.run),
    }
    return "".join(f"{key}={shlex.quote(value)}\n" for key, value in values.items())


def ensure_database(settings: Settings) -> None:
    """Create DATABASE_URL's database when it does not exist (connecting to `postgres` on the
    same server). Tests do not need this: they create throw-away databases themselves."""
    import psycopg2  # type: ignore[import-untyped]
    from psycopg2 import sql

    parts = endpoints(settings)
    try:
        admin = psycopg2.connect(parts["PG_ADMIN_URL"], connect_timeout=10)
    except psycopg2.Error as exc:
        raise SystemExit(
            f"cannot connect to PostgreSQL as '{parts['PG_USER']}' (maintenance database "
            f"'postgres'); check DATABASE_URL: {exc}"
        ) from exc
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parts["PG_DB"],))
            if cursor.fetchone():
                ok(f"database '{parts['PG_DB']}' exists")
                return
            log(f"creating database '{parts['PG_DB']}'")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts["PG_DB"])))
            ok(f"database '{parts['PG_DB']}' created")
    finally:
        admin.close()


def check_redis_policy(settings: Settings) -> None:
    """Redis must never evict queue keys."""
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=3)
    try:
        policy = str(client.config_get("maxmemory-policy").get("maxmemory-policy", ""))
    except redis.RedisError:
        warn("could not read Redis maxmemory-policy (CONFIG disabled?). It MUST be 'noeviction'.")
        return
    finally:
        client.close()
    if policy == "noeviction":
        ok("Redis maxmemory-policy is noeviction")
        return
    for line in (
        "#" * 80,
        f"Redis at {settings.redis_url.rsplit('@', 1)[-1]} has maxmemory-policy '{policy}', "
        "not 'noeviction'.",
        "Under memory pressure Redis will DELETE QUEUED TASKS. Fix it with:",
        "  redis-cli config set maxmemory-policy noeviction",
        "and set 'maxmemory-policy noeviction' in redis.conf to keep it.",
        "#" * 80,
    ):
        warn(line)


# --- the web app (services/web) -------------------------------------------------------------------
def _web_inputs(web: Path) -> Iterator[Path]:
    for folder in ("src", "public"):
        for path in (web / folder).rglob("*"):
            if path.is_file() and not path.name.endswith((".test.ts", ".test.tsx")):
                yield path
    for name in ("index.html", "package.json", "package-lock.json", "vite.config.ts"):
        yield web / name
    yield from web.glob("tsconfig*.json")


def web_build_stale(paths: Paths) -> bool:
    """True when dist/index.html is missing or any input of the build is newer than it."""
    index = paths.web / "dist" / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime
    return any(p.exists() and p.stat().st_mtime > built for p in _web_inputs(paths.web))


def ensure_web_deps(paths: Paths) -> bool:
    """`npm ci` when node_modules is missing or older than package-lock.json."""
    stamp_file = paths.web / "node_modules" / ".package-lock.json"
    lock = paths.web / "package-lock.json"
    if stamp_file.exists() and stamp_file.stat().st_mtime >= lock.stat().st_mtime:
        return True
    if shutil.which("npm") is None:
        error("npm not found: install Node >= 20.19 (make web-build installs Debian's)")
        return False
    log("npm ci (services/web)")
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=paths.web, check=False
    )
    if done.returncode == 0:
        ok("web app dependencies are installed (services/web/node_modules)")
    return done.returncode == 0


def ensure_web_build(paths: Paths) -> bool:
    """Build the web app into services/web/dist when the build is missing or stale."""
    if not web_build_stale(paths):
        ok("web app build is up to date (services/web/dist)")
        return True
    if not ensure_web_deps(paths):
        return False
    log("building the web app (npm run build, services/web/dist)")
    done = subprocess.run(["npm", "run", "--silent", "build"], cwd=paths.web, check=False)
    if done.returncode != 0 or not (paths.web / "dist" / "index.html").exists():
        return False
    ok("web app built (services/web/dist)")
    return True


def web_dev(paths: Paths, settings: Settings) -> int:
    """Vite's dev server (hot reload) with the API proxied to the gateway on PORT."""
    if not ensure_web_deps(paths):
        raise SystemExit("could not install the web app's dependencies (see above)")
    api_url = services.gateway_url(settings)
    if not services.http_ok(api_url + "/api/health/live"):
        warn(
            f"no gateway answers on {api_url}: the app will load but its API calls fail. Start "
            "it with 'make up' (or set PORT to where it runs)."
        )
    log(f"web dev server on http://127.0.0.1:{os.environ.get('WEB_DEV_PORT', '5173')} ({api_url})")
    os.chdir(paths.web)
    os.execvpe("npm", ["npm", "run", "dev"], {**os.environ, "API_PROXY_TARGET": api_url})


# --- one service in the foreground (make gateway, the images' entrypoint) -------------------------
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
