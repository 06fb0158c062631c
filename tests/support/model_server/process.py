"""The model server as a subprocess of a test or a benchmark (a context manager), started and
stopped by the test kit's `Service` like every other process the tests run."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from tests.support.model_server.control import ModelServerControl
from tests.support.processes import Service, ServiceExited, wait_until


class ModelServerProcess:
    """Start the model server as a subprocess; usable as a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        startup_timeout: float = 20.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.host = host
        self.startup_timeout = startup_timeout
        self.extra_args = list(extra_args)
        self.port: int | None = None
        self._service: Service | None = None
        self._tmpdir: Path | None = None
        self._control: ModelServerControl | None = None

    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("model server is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``OPENAI_BASE_URL`` / ``OpenAI(base_url=...)`` should be."""
        return f"{self.root_url}/v1"

    @property
    def control(self) -> ModelServerControl:
        if self._control is None:
            raise RuntimeError("model server is not running")
        return self._control

    @property
    def pid(self) -> int | None:
        return self._service.pid if self._service is not None and self._service.alive else None

    @property
    def log_path(self) -> Path | None:
        return self._tmpdir / "server.log" if self._tmpdir else None

    def start(self) -> ModelServerProcess:
        if self._service is not None:
            return self
        self._tmpdir = Path(tempfile.mkdtemp(prefix="ailp-model-server-"))
        port_file = self._tmpdir / "port"
        argv = [sys.executable, "-m", "tests.support.model_server", "--host", self.host]
        argv += ["--port", "0", "--port-file", str(port_file), *self.extra_args]
        self._service = Service(
            name="model-server",
            argv=argv,
            env=dict(os.environ),
            log_path=self._tmpdir / "server.log",
            metrics_dir=self._tmpdir / "metrics",
        )
        try:
            self._service.start()
            wait_until(
                lambda: self._ready(port_file),
                timeout=self.startup_timeout,
                interval=0.02,
                message="the model server healthy",
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _ready(self, port_file: Path) -> bool:
        assert self._service is not None
        if not self._service.alive:
            raise ServiceExited(f"model server exited early:\n{self._service.log_tail(100)}")
        if self.port is None and port_file.exists() and port_file.read_text().strip():
            self.port = int(port_file.read_text().strip())
            self._control = ModelServerControl(self.root_url)
        return self._control is not None and self._control.healthy()

    def stop(self, timeout: float = 5.0) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._service is not None:
            self._service.stop(timeout)
            self._service = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        self.port = None

    def __enter__(self) -> ModelServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
