"""The campaign's world: a private PostgreSQL cluster, a private Redis, the loopback model server
and the four services, all of which the faults may stop, kill and restart.

Nothing here touches the machine's shared PostgreSQL or Redis. Every process is started from the
thread that builds the environment (the campaign's main thread): the services die with the thread
that started them (PR_SET_PDEATHSIG), so no process may be started from a helper thread.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import psycopg2
import psycopg2.extensions
import redis

from tests.chaos.config import CampaignConfig
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack, child_pids, wait_until
from tests.support.servers import PrivatePostgres, PrivateRedis

SERVICES = ("gateway", "content-worker", "analytics-worker", "sweeper")
ANALYTICS_POOL_SIZE = 2  # the Stack's analytics worker runs `--concurrency 2`


class Environment:
    def __init__(self, config: CampaignConfig, workdir: Path | None = None) -> None:
        self.config = config
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="ailp-chaos-"))
        self.model = ModelServerProcess()
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis(persistent=True)
        self.database_url = ""
        self._stack: Stack | None = None

    @property
    def stack(self) -> Stack:
        assert self._stack is not None, "the environment is not started"
        return self._stack

    def service_env(self) -> dict[str, str]:
        config = self.config
        return {
            **config.timings,
            "ENVIRONMENT": "test",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "ACCESS_TOKEN_EXPIRE_MINUTES": "1440",  # longer than any campaign
            "OPENAI_MODEL": config.prices.model,
            "OPENAI_PRICES": config.prices.env(),
            "OPENAI_DAILY_BUDGET_USD": f"{config.budget:.4f}",
            # The per-user allowance (when the services know it) must not hide the day's budget.
            "OPENAI_USER_DAILY_BUDGET_USD": f"{config.budget:.4f}",
            "OPENAI_MAX_TOKENS": str(config.max_tokens),
            # Loose enough that the shared token window rarely defers a job, as in production
            # where the campaign's few calls a second are far below the organisation's limits.
            "OPENAI_TPM_LIMIT": "400000",
            "REGISTRATION_LIMIT_PER_ADDRESS": "1000",
            "LOG_LEVEL": "INFO",
        }

    def start(self) -> Environment:
        self.model.start()
        low, high = self.config.model_delay
        self.model.control.set_default(mode="ok", delay=low, delay_max=high)
        self.postgres.init()
        self.database_url = self.postgres.create_migrated_database("ailp")
        self.redis.start()
        self._stack = Stack(
            database_url=self.database_url,
            redis_url=self.redis.url,
            workdir=self.workdir,
            openai_base_url=self.model.base_url,
            extra_env=self.service_env(),
            content_workers=self.config.content_workers,
        )
        self._stack.start()
        return self

    def close(self) -> None:
        if self._stack is not None:
            for service in self._stack.services.values():
                if service.alive:  # a frozen service cannot act on SIGTERM
                    signal_group(service.pid, signal.SIGCONT)
            self._stack.stop()
        self.redis.destroy()
        self.postgres.destroy()
        self.model.stop()

    def __enter__(self) -> Environment:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- probes -------------------------------------------------------------------------------
    def connect(self) -> psycopg2.extensions.connection:
        return psycopg2.connect(self.database_url, connect_timeout=5)

    def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        finally:
            connection.close()

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.stack.base_url}/api/health", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def queue_depths(self) -> tuple[int, int]:
        """(task messages in the broker's queues, unfinished jobs); -1 for one that is away."""
        try:
            client = redis.Redis(port=self.redis.port, socket_timeout=1, socket_connect_timeout=1)
            try:
                messages = sum(int(client.llen(queue)) for queue in ("content", "analytics"))
            finally:
                client.close()
        except redis.RedisError:
            messages = -1
        try:
            unfinished = int(
                self.query("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")[0][0]
            )
        except psycopg2.Error:
            unfinished = -1
        return messages, unfinished

    def analytics_children(self) -> list[int]:
        return child_pids(self.stack["analytics-worker"].pid)

    def wait_recovered(self, timeout: float = 120) -> list[str]:
        """Every service running, the pool full, health 200. Services that died although no
        fault touched them are restarted (a supervisor would) and named in the result."""
        restarted = []
        for name, service in self.stack.services.items():
            if not service.alive:
                code = service.process.poll() if service.process else None
                restarted.append(f"{name} exited with {code}: {last_error(service.output())}")
                self.stack.start(name)
        wait_until(
            lambda: len(self.analytics_children()) >= ANALYTICS_POOL_SIZE,
            timeout=timeout,
            message="a full analytics pool",
        )
        wait_until(self.healthy, timeout=timeout, interval=0.5, message="/api/health 200")
        return restarted


def last_error(output: bytes) -> str:
    """The last critical or error event a service logged (JSON lines), with its traceback's
    last line: why it exited."""
    for raw in reversed(output.decode(errors="replace").splitlines()):
        try:
            event = json.loads(raw)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("level") in ("critical", "error"):
            cause = str(event.get("exception", "")).strip().splitlines()[-1:]
            return f"{str(event.get('event', ''))[:200]} {' '.join(cause)[:300]}".strip()
    return "no error logged"


def signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass
