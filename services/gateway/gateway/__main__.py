"""Run the gateway: `python -m gateway` (uvicorn, WEB_CONCURRENCY worker processes)."""

from __future__ import annotations

import uvicorn

from ailp.config import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run(
        "gateway.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.web_concurrency,
        loop="uvloop",
        http="httptools",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=20,
        log_config=None,
    )


if __name__ == "__main__":
    main()
