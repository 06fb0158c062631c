"""``python -m tests.support.model_server``: serve the model server with uvicorn until
SIGINT/SIGTERM, writing the bound port to ``--port-file`` once listening."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from tests.support.model_server.app import create_app
from tests.support.model_server.state import ServerState


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


async def serve(
    host: str, port: int, port_file: Path | None, state: ServerState | None = None
) -> None:
    """Run the server until SIGINT/SIGTERM; write the bound port to ``port_file`` once listening."""
    config = uvicorn.Config(
        create_app(state),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=75,
        timeout_graceful_shutdown=1,
        backlog=4096,
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started and port_file is not None:
        bound = server.servers[0].sockets[0].getsockname()[1]
        _write_atomically(port_file, str(bound))
    await task


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.model_server",
        description="A scriptable, OpenAI-compatible model server for tests and benchmarks.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", type=Path, help="written with the port once listening")
    parser.add_argument("--rpm-limit", type=int, default=10_000)
    parser.add_argument("--tpm-limit", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    state = ServerState(rpm_limit=args.rpm_limit, tpm_limit=args.tpm_limit)
    asyncio.run(serve(args.host, args.port, args.port_file, state))


if __name__ == "__main__":
    main()
