# syntax=docker/dockerfile:1.7
# ailp's Python images: one Dockerfile, one target per service. The build context is the
# repository root:
#   docker build --target gateway          -t ailp-gateway .
#   docker build --target content-worker   -t ailp-content-worker .
#   docker build --target analytics-worker -t ailp-analytics-worker .
#   docker build --target sweeper          -t ailp-sweeper .
# Each runs its service with `ailp stack run <service>`, the command `make gateway` etc. run;
# any other argument is an `ailp` command: docker run --rm ailp-gateway migrate | make-admin NAME
# The web app keeps its own Dockerfile (services/web/Dockerfile): a Node build served by nginx,
# built from its own folder, sharing nothing with these images.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# Keep in step with the uv that wrote uv.lock: an older uv may not read a newer lock format.
ARG UV_VERSION=0.13

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# --- build: one venv per service, its package and dependencies, no dev tools, no sources --------
FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY shared/ shared/
COPY services/ services/

# --no-editable: the workspace packages are installed as wheels, so the venv needs no sources.
FROM builder AS build-gateway
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package ailp-gateway --no-editable

FROM builder AS build-content-worker
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package ailp-content-worker --no-editable

FROM builder AS build-analytics-worker
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package ailp-analytics-worker --no-editable

# The sweeper needs the shared package only (it also runs migrate, make-admin, recompute-analytics).
FROM builder AS build-sweeper
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package ailp --no-editable

# --- runtime: what every service image shares -----------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 ailp \
    && useradd --system --uid 10001 --gid ailp --home-dir /tmp --no-create-home \
        --shell /usr/sbin/nologin ailp
WORKDIR /app
# AILP_RUN_DIR: `ailp stack run`'s writable folder (PROMETHEUS_MULTIPROC_DIR lives below it); /app
# is not writable for the service user. Give /tmp an emptyDir with a read-only root fs.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    AILP_RUN_DIR=/tmp/ailp \
    HOST=0.0.0.0 \
    METRICS_HOST=0.0.0.0
USER 10001:10001
ENTRYPOINT ["ailp", "stack", "run"]

# Celery worker on queue `content`; Prometheus /metrics on CONTENT_METRICS_PORT.
FROM runtime AS content-worker
COPY --from=build-content-worker /app/.venv /app/.venv
ENV CONTENT_METRICS_PORT=9101
EXPOSE 9101
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/metrics' % os.environ.get('CONTENT_METRICS_PORT', '9101'), timeout=4)"]
CMD ["content-worker"]

# Celery worker on queue `analytics`; Prometheus /metrics on ANALYTICS_METRICS_PORT.
FROM runtime AS analytics-worker
COPY --from=build-analytics-worker /app/.venv /app/.venv
ENV ANALYTICS_METRICS_PORT=9102
EXPOSE 9102
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/metrics' % os.environ.get('ANALYTICS_METRICS_PORT', '9102'), timeout=4)"]
CMD ["analytics-worker"]

# The job sweeper; /metrics and its liveness /healthz on SWEEPER_METRICS_PORT.
FROM runtime AS sweeper
COPY --from=build-sweeper /app/.venv /app/.venv
ENV SWEEPER_METRICS_PORT=9103
EXPOSE 9103
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SWEEPER_METRICS_PORT', '9103'), timeout=4)"]
CMD ["sweeper"]

# The API (last: the default target of a plain `docker build .`).
FROM runtime AS gateway
COPY --from=build-gateway /app/.venv /app/.venv
ENV PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/health/live' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["gateway"]
