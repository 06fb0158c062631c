"""The gateway's app factory: `uvicorn gateway.main:app` or `python -m gateway`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.convertors import PathConvertor, register_url_convertor

from ailp import __version__
from ailp.config import Settings, get_settings
from ailp.logging import configure_logging, get_logger
from gateway import openapi, problems
from gateway.activity.router import router as activity_router
from gateway.admin.router import router as admin_router
from gateway.analytics.router import router as analytics_router
from gateway.auth.broadcast import RevocationListener, Revocations
from gateway.auth.revocation import TokenStates
from gateway.auth.router import router as auth_router
from gateway.broker import Broker
from gateway.content.router import router as content_router
from gateway.db import create_pool
from gateway.health.router import router as health_router
from gateway.jobs.router import router as jobs_router
from gateway.learners.router import router as learners_router
from gateway.middleware import GatewayMiddleware
from gateway.passwords import PasswordHashing
from gateway.ratelimit import RateLimiter
from gateway.users.router import router as users_router

log = get_logger(__name__)

DESCRIPTION = """
ailp personalizes learning with AI. Learners keep profiles, ask for lessons, quizzes and
exercises written by a model, log study sessions and answers, and get their learning velocity
and knowledge gaps computed.

* Sign in with `POST /api/auth/token` and send `Authorization: Bearer <token>`.
* Generation and analytics are **asynchronous**: the POST answers `202` with a job; poll
  `GET /api/jobs/{id}` (its `Location`) until `status` is terminal.
* Errors are RFC 9457 problem details.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or get_settings()).refuse_weak_secrets()
    configure_logging("gateway", settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await create_pool(settings)
        app.state.broker = Broker(settings)
        app.state.limiter = RateLimiter(app.state.broker.client)
        app.state.hashing = PasswordHashing(
            concurrency=settings.password_hash_concurrency,
            wait_seconds=settings.password_hash_wait_seconds,
        )
        listener = RevocationListener(settings.redis_url, app.state.token_states)
        app.state.revocations = Revocations(app.state.token_states, listener.client)
        listener.start()
        await app.state.broker.check_eviction_policy()
        log.info("gateway_started", version=__version__)
        try:
            yield
        finally:
            await listener.stop()
            await app.state.broker.close()
            await app.state.pool.close()

    app = FastAPI(
        title="ailp — AI Learning Platform API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.trusted_proxies = settings.trusted_proxy_networks
    app.state.token_states = TokenStates(ttl_seconds=settings.token_state_cache_seconds)
    problems.install(app)
    openapi.install(app)
    for router in (
        health_router,
        auth_router,
        users_router,
        learners_router,
        activity_router,
        jobs_router,
        content_router,
        analytics_router,
        admin_router,
    ):
        app.include_router(router)
    _mount_web_app(app, settings)
    app.add_middleware(
        GatewayMiddleware,
        max_body_bytes=settings.max_body_bytes,
        # The access log bypasses the logging module (see `write_access_line`): LOG_LEVEL is
        # applied to it here, once.
        access_log=logging.getLogger("gateway.access").isEnabledFor(logging.INFO),
    )
    return app


# The web app's pages: no inline script may run (a stored XSS could not execute), no other
# site may frame them (clickjacking), and other sites learn only our origin from links.
# The same headers are set by services/web/docker/nginx.conf.template.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
WEB_APP_HTML_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


class _WebPath(PathConvertor):
    """Any path but the API's own (`/api/…`, `/docs`, `/redoc`, `/openapi.json`, `/metrics`),
    so that unknown API paths and methods keep their 404/405 problems."""

    regex = r"(?!api/|api$|docs|redoc|openapi\.json|metrics).*"


def _mount_web_app(app: FastAPI, settings: Settings) -> None:
    """Serve the built web app (WEB_DIST_DIR, e.g. services/web/dist) at `/`, same origin as the API.

    Files are served as they are; any other GET outside /api, /docs and /metrics answers
    index.html, so the single-page app's own routes (e.g. /learners/3) survive a reload.
    """
    if not settings.web_dist_dir:
        return
    dist = Path(settings.web_dist_dir).resolve()
    index = dist / "index.html"
    if not index.is_file():
        log.warning("web_app_not_built", path=str(dist))
        return
    from starlette.responses import FileResponse
    from starlette.staticfiles import StaticFiles

    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="web-assets")

    register_url_convertor("webpath", _WebPath())

    @app.api_route("/{path:webpath}", methods=["GET", "HEAD"], include_in_schema=False)
    async def web_app(path: str) -> FileResponse:
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist):
            response = FileResponse(candidate)
        else:
            response = FileResponse(index, headers={"Cache-Control": "no-cache"})
        if response.media_type == "text/html":
            response.headers.update(WEB_APP_HTML_HEADERS)
        return response


app = create_app()
