"""Private PostgreSQL and Redis servers that a fault test may stop and restart at will,
without disturbing the machine's shared servers."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import redis

from tests.support.processes import free_port, wait_until


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return path


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free port (initdb refuses root: run as `postgres`)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="ailp-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *argv: str) -> None:
        command = list(argv)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> PrivatePostgres:
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.directory, user.pw_uid, user.pw_gid)
        self._run(
            _postgres_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.start()
        return self

    def start(self) -> None:
        self._run(
            _postgres_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_migrated_database(self, name: str = "ailp") -> str:
        """Create database `name` on this cluster, apply the migrations; return its URL."""
        import psycopg2

        from ailp.db.migrate import upgrade

        admin = psycopg2.connect(self.url)
        try:
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            admin.close()
        url = self.url.rsplit("/", 1)[0] + f"/{name}"
        upgrade(url.replace("postgresql://", "postgresql+psycopg2://", 1))
        return url

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """A redis-server on a free port. By default without persistence: a restart loses every
    queued message. `persistent=True` keeps an append-only file (fsync every second, as in
    production), so a graceful restart keeps the data and `wipe()` between stop and start
    loses it (a failover to an empty replica)."""

    def __init__(self, *, persistent: bool = False) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = Path(tempfile.mkdtemp(prefix="ailp-redis-"))
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.persistent else "no",
                "--appendfsync",
                "everysec",
                "--dir",
                str(self.directory),
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(
            lambda: redis.Redis(port=self.port, socket_timeout=1).ping(),
            timeout=10,
            message="private redis",
        )
        return self

    def stop(self, *, graceful: bool = False) -> None:
        """SIGKILL (or, `graceful`, SIGTERM: the append-only file is flushed first)."""
        if self.process is not None and self.process.poll() is None:
            if graceful:
                self.process.terminate()
            else:
                self.process.kill()
            self.process.wait(30)

    def wipe(self) -> None:
        """Delete the stopped server's data files: its next start is empty."""
        assert self.process is None or self.process.poll() is not None, "stop Redis first"
        for entry in self.directory.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
