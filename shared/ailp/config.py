"""One `Settings` class for every service: environment first, `.env` for development.

Every field maps to an upper-case environment variable of the same name (`database_url` ←
`DATABASE_URL`). `.env.example` at the repository root documents each of them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"


DEFAULT_MODEL_PRICES: dict[str, dict[str, float]] = {
    # The seed's price list: $0.002 per 1K tokens in and out for gpt-3.5-turbo.
    "gpt-3.5-turbo": {"input": 0.002, "output": 0.002},
    "gpt-4o-mini": {"input": 0.00015, "output": 0.0006},
    "gpt-4o": {"input": 0.0025, "output": 0.01},
    "gpt-4.1-mini": {"input": 0.0004, "output": 0.0016},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"

    # --- storage -----------------------------------------------------------------------------
    database_url: str = "postgresql://postgres@127.0.0.1:5432/ailp"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=5, ge=0, le=200)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)
    redis_url: str = "redis://127.0.0.1:6379/0"
    # The Celery broker; defaults to REDIS_URL.
    broker_url: str | None = None
    # Keep above the longest task time limit (DESIGN.md); seconds.
    broker_visibility_timeout: int = Field(default=3600, ge=60)

    # --- gateway -----------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web_concurrency: int = Field(default=2, ge=1, le=64)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    web_dist_dir: str | None = None
    # Proxies whose X-Forwarded-For is trusted for the client address (comma-separated, or "*").
    forwarded_allow_ips: str = "127.0.0.1"

    # --- auth --------------------------------------------------------------------------------
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    access_token_expire_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)
    login_failures_per_account: int = Field(default=10, ge=1)
    login_failures_per_address: int = Field(default=50, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)

    # --- job limits --------------------------------------------------------------------------
    job_submissions_per_minute: int = Field(default=60, ge=1)
    max_queued_jobs_per_user: int = Field(default=50, ge=1)
    idempotency_window_hours: int = Field(default=24, ge=1)

    # --- durable jobs ------------------------------------------------------------------------
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    job_lease_seconds: float = Field(default=60.0, gt=0)
    job_heartbeat_seconds: float = Field(default=15.0, gt=0)
    job_requeue_after_seconds: float = Field(default=30.0, gt=0)
    sweeper_interval_seconds: float = Field(default=5.0, gt=0)
    # New sessions/responses schedule one analytics recomputation per learner after this delay.
    analytics_recompute_delay_seconds: float = Field(default=10.0, ge=0)
    analytics_recompute_days: int = Field(default=30, ge=1, le=365)
    content_task_time_limit: int = Field(default=600, ge=10)
    analytics_task_time_limit: int = Field(default=300, ge=10)

    # --- model -------------------------------------------------------------------------------
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=30.0, gt=0)
    openai_max_attempts: int = Field(default=4, ge=1, le=10)
    openai_backoff_base_seconds: float = Field(default=0.5, ge=0)
    openai_backoff_max_seconds: float = Field(default=20.0, ge=0)
    openai_max_tokens: int = Field(default=1800, ge=64)
    openai_rpm_limit: int = Field(default=3500, ge=1)
    openai_tpm_limit: int = Field(default=90_000, ge=1)
    openai_daily_budget_usd: float = Field(default=2.0, ge=0)
    # The RPM/TPM limits hold for every window of this length (60 s: per minute).
    openai_limit_window_seconds: float = Field(default=60.0, gt=0)
    # A call that would wait longer than this for the limits gives its worker slot back and
    # re-queues its job instead (nothing is lost; no attempt is used).
    openai_max_inline_wait_seconds: float = Field(default=5.0, ge=0)
    # JSON object {model: {"input": usd_per_1k, "output": usd_per_1k}} merged over the defaults.
    openai_prices: dict[str, dict[str, float]] = Field(default_factory=dict)
    content_cache_max_age_days: int = Field(default=30, ge=1)

    # --- learner model ---------------------------------------------------------------------
    learner_model_min_responses: int = Field(
        default=200,
        ge=1,
        description="A concept is fitted only with at least this many answers from the learners "
        "the fit learns from; the others keep the default BKT parameters.",
    )
    learner_model_held_out_share: float = Field(
        default=0.2,
        ge=0.0,
        lt=1.0,
        description="Share of learners (chosen by a hash of their id, so the same every time) "
        "kept out of each fit to evaluate it on answers it has not seen.",
    )
    learner_model_fit_interval_hours: float = Field(
        default=24.0,
        ge=0.0,
        description="The scheduled fit runs when the newest version is older than this; 0 turns "
        "the schedule off (`ailp learner-model fit` still works).",
    )
    sweeper_metrics_port: int = Field(
        default=9103,
        ge=0,
        le=65535,
        description="Where the sweeper process serves /metrics (the scheduled learner-model "
        "fit's ailp_learner_model_fit_* figures among them); 0: not served.",
    )
    learner_model_refresh_seconds: float = Field(
        default=10.0,
        ge=0.0,
        description="How long an analytics process keeps the newest parameter version before it "
        "looks for a newer one (0: look on every job).",
    )

    # --- workers -----------------------------------------------------------------------------
    # Model calls wait on the network: one process keeps this many in flight (threads).
    content_worker_concurrency: int = Field(default=32, ge=1, le=256)
    analytics_worker_concurrency: int = Field(default=2, ge=1, le=64)
    content_metrics_port: int = Field(default=9101, ge=0, le=65535)
    analytics_metrics_port: int = Field(default=9102, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"

    @field_validator(
        "openai_api_key", "openai_base_url", "broker_url", "web_dist_dir", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # `FOO=` in .env or docker-compose means "not set", not the empty string.
        return None if value in ("", None) else value

    @field_validator("jwt_secret", mode="before")
    @classmethod
    def _empty_secret_is_default(cls, value: object) -> object:
        return DEV_JWT_SECRET if value in ("", None) else value

    @property
    def celery_broker_url(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL for SQLAlchemy with the psycopg2 driver (workers, migrations)."""
        return _with_driver(self.database_url, "postgresql+psycopg2")

    @property
    def asyncpg_dsn(self) -> str:
        """The database URL as asyncpg expects it (no SQLAlchemy driver suffix)."""
        return _with_driver(self.database_url, "postgresql")

    def model_price(self, model: str) -> dict[str, float]:
        prices = {**DEFAULT_MODEL_PRICES, **self.openai_prices}
        return prices.get(model, DEFAULT_MODEL_PRICES["gpt-3.5-turbo"])

    def check_production_safety(self) -> None:
        if (
            self.environment == "production"
            and self.jwt_secret.get_secret_value() == DEV_JWT_SECRET
        ):
            raise RuntimeError("JWT_SECRET must be set to a private value in production")


def _with_driver(url: str, scheme: str) -> str:
    _, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    return f"{scheme}://{rest}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
