"""Serve a ceiling app exactly as `python -m gateway` serves the gateway.

`python -m bench.serve {hello|ceiling} PORT` — uvicorn with WEB_CONCURRENCY worker processes,
uvloop, httptools, no access log (settings such as DATABASE_URL come from the environment).
"""

from __future__ import annotations

import sys

import uvicorn

from ailp.config import get_settings

APPS = {"hello": "bench.hello:app", "ceiling": "bench.apps:create_ceiling_app"}


def main(argv: list[str]) -> None:
    name, port = argv
    settings = get_settings()
    uvicorn.run(
        APPS[name],
        factory=name == "ceiling",
        host="127.0.0.1",
        port=int(port),
        workers=settings.web_concurrency,
        loop="uvloop",
        http="httptools",
        access_log=False,
        timeout_graceful_shutdown=5,
        log_config=None,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
