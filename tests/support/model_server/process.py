"""The model server as a subprocess of a test or a benchmark (a context manager)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.support.model_server.control import ModelServerControl

REPO_ROOT = Path(__file__).resolve().parents[3]


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
        self._process: subprocess.Popen[bytes] | None = None
        self._tmpdir: Path | None = None
        self._log: Any = None
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
    def log_path(self) -> Path | None:
        return self._tmpdir / "server.log" if self._tmpdir else None

    def start(self) -> ModelServerProcess:
        if self._process is not None:
            return self
        self._tmpdir = Path(tempfile.mkdtemp(prefix="ailp-model-server-"))
        port_file = self._tmpdir / "port"
        self._log = (self._tmpdir / "server.log").open("wb")
        command = [sys.executable, "-m", "tests.support.model_server", "--host", self.host]
        command += ["--port", "0", "--port-file", str(port_file), *self.extra_args]
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_until_ready(port_file)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self, port_file: Path) -> None:
        deadline = time.monotonic() + self.startup_timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"model server exited early:\n{self._log_tail()}")
            if self.port is None and port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text().strip())
                self._control = ModelServerControl(self.root_url)
            if self._control is not None and self._control.healthy():
                return
            time.sleep(0.02)
        raise TimeoutError(
            f"model server not healthy after {self.startup_timeout}s:\n{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        path = self.log_path
        if path is None or not path.exists():
            return ""
        return path.read_text(errors="replace")[-4000:]

    def stop(self, timeout: float = 5.0) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=timeout)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
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
