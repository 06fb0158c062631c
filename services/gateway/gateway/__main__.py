"""Run the gateway: `python -m gateway` (uvicorn, WEB_CONCURRENCY worker processes)."""

from __future__ import annotations

import uvicorn

from ailp.config import get_settings


def main() -> None:
    settings = get_settings().refuse_weak_secrets()  # before any worker process starts
    uvicorn.run(
        "gateway.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.web_concurrency,
        loop="uvloop",
        http="httptools",
        access_log=False,
        # The gateway works out the client address itself (gateway.client_address, from
        # TRUSTED_PROXIES); uvicorn's would take the left-most X-Forwarded-For hop.
        proxy_headers=False,
        timeout_graceful_shutdown=20,
        log_config=None,
    )


if __name__ == "__main__":
    main()
