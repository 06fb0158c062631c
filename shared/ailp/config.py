"""One `Settings` class for every service: environment first, `.env` for development.

Every field maps to an upper-case environment variable of the same name (`database_url` ←
`DATABASE_URL`). `.env.example` at the repository root documents each of them.
"""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ailp.secret_policy import check_jwt_secret

# CONTENT_JOB_DEADLINE_SECONDS must exceed OPENAI_TIMEOUT_SECONDS by at least this: a content
# job's model calls stop one read timeout plus `content_worker.service.FINISH_SECONDS` before the
# deadline (one read may run that long past it; the fallback and the final write need the rest),
# which leaves at least 30 s for the model.
CONTENT_DEADLINE_SLACK = 40.0

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
    trusted_proxies: str = Field(
        default="127.0.0.1/32,::1/128",
        description=(
            "Comma-separated CIDRs of the reverse proxies in front of the gateway. Only when the "
            "direct peer is in one of them is X-Forwarded-For read, and the client is its "
            "right-most hop outside these ranges. Never '*' or 0.0.0.0/0."
        ),
    )

    # --- auth --------------------------------------------------------------------------------
    jwt_secret: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Signs access tokens: 32+ random characters, never a documented placeholder. "
            "Required in every ENVIRONMENT but test (`make up` writes a random one into .env)."
        ),
    )
    jwt_secret_previous: SecretStr | None = Field(
        default=None,
        description=(
            "The secret before the last rotation: tokens it signed are still accepted until "
            "they expire (ACCESS_TOKEN_EXPIRE_MINUTES). Unset once that grace period is over."
        ),
    )
    access_token_expire_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)
    token_state_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=30,
        description=(
            "How long a gateway process trusts its cached answer to 'is this token revoked?' "
            "(logout, password change, account deletion). Other processes refuse a revoked "
            "token within this time; the process that revoked it refuses it at once."
        ),
    )
    login_failures_per_account: int = Field(default=10, ge=1)
    login_failures_per_address: int = Field(default=50, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    registration_limit_per_address: int = Field(
        default=20, ge=1, description="Sign-ups allowed per client address within the window."
    )
    registration_limit_window_seconds: int = Field(
        default=3600, ge=1, description="The window of REGISTRATION_LIMIT_PER_ADDRESS (seconds)."
    )
    password_hash_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "Password hashes (argon2id, 19 MiB each) computed at once per gateway process; "
            "register, sign-in, password change and account deletion wait for a slot."
        ),
    )
    password_hash_wait_seconds: float = Field(
        default=1.0,
        gt=0,
        le=30,
        description="How long a request waits for a hashing slot before it gets 503 + Retry-After.",
    )

    # --- job limits --------------------------------------------------------------------------
    job_submissions_per_minute: int = Field(default=60, ge=1)
    max_queued_jobs_per_user: int = Field(default=50, ge=1)
    idempotency_window_hours: int = Field(default=24, ge=1)
    session_posts_per_minute: int = Field(
        default=60, ge=1, description="POST .../sessions per user per minute, then 429."
    )
    response_posts_per_minute: int = Field(
        default=120, ge=1, description="POST .../responses per user per minute, then 429."
    )
    max_learners_per_user: int = Field(
        default=20, ge=1, description="Learner profiles one user may have, then 409."
    )

    # --- durable jobs ------------------------------------------------------------------------
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    job_lease_seconds: float = Field(default=60.0, gt=0)
    job_heartbeat_seconds: float = Field(default=15.0, gt=0)
    sweeper_interval_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How often the sweeper looks for lost, due and expired jobs (seconds); retried "
        "and deferred jobs are published by it when due, so this is also their timing granularity.",
    )
    job_message_ttl_seconds: int = Field(
        default=1800,
        ge=60,
        description="How long a published job's 'message waiting' marker lives in the broker. The "
        "sweeper re-publishes a queued job only when its marker is gone, so a job waiting longer "
        "than this in a deep queue is published once more per period (harmless duplicates).",
    )
    sweeper_metrics_port: int = Field(
        default=9103,
        ge=0,
        le=65535,
        description="The sweeper's /metrics and /healthz (liveness) port; 0 turns it off.",
    )
    sweeper_statement_timeout_ms: int = Field(
        default=10_000,
        ge=100,
        description="The sweeper's statement timeout and idle-in-transaction timeout (ms): a frozen "
        "sweeper releases its lock and row locks after this long, so another replica takes over.",
    )
    # New sessions/responses schedule one analytics recomputation per learner after this delay.
    analytics_recompute_delay_seconds: float = Field(default=10.0, ge=0)
    analytics_recompute_days: int = Field(default=30, ge=1, le=365)
    content_task_time_limit: int = Field(default=600, ge=10)
    content_job_deadline_seconds: float = Field(
        default=300.0,
        ge=60,
        description="Every content job ends (succeeded, possibly with offline content, or failed) "
        "within this many seconds of its start, whatever the model does.",
    )
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
    openai_user_daily_budget_usd: float = Field(
        default=0.10,
        ge=0,
        description="Model spend allowed per user per UTC day; past it that user's content falls "
        "back to offline pieces (with a notice) while other users go on.",
    )
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

    @field_validator("jwt_secret_previous", mode="before")
    @classmethod
    def _empty_previous_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxy_ranges(cls, value: str) -> str:
        parse_networks(value)
        return value

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Self:
        """No running stack signs with a guessable key; only tests may go without one."""
        if not self.jwt_secret.get_secret_value() and self.environment == "test":
            self.jwt_secret = SecretStr(secrets.token_urlsafe(48))
        if self.environment != "test":
            check_jwt_secret("JWT_SECRET", self.jwt_secret.get_secret_value())
            if self.jwt_secret_previous is not None:
                check_jwt_secret("JWT_SECRET_PREVIOUS", self.jwt_secret_previous.get_secret_value())
        return self

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return parse_networks(self.trusted_proxies)

    @model_validator(mode="after")
    def _timings_agree(self) -> Self:
        """Timings that only work together; a mistake here loses or repeats jobs silently."""
        problems = []
        if self.job_heartbeat_seconds * 2 > self.job_lease_seconds:
            problems.append(
                "JOB_HEARTBEAT_SECONDS must be at most half of JOB_LEASE_SECONDS (a lease must be "
                "renewed at least twice before it can expire)"
            )
        longest_task = max(
            self.content_task_time_limit,
            self.analytics_task_time_limit,
            self.content_job_deadline_seconds,
        )
        if self.broker_visibility_timeout <= longest_task:
            problems.append(
                "BROKER_VISIBILITY_TIMEOUT must exceed every task time limit and "
                "CONTENT_JOB_DEADLINE_SECONDS (else Redis hands running tasks out again)"
            )
        if self.content_job_deadline_seconds < self.openai_timeout_seconds + CONTENT_DEADLINE_SLACK:
            problems.append(
                f"CONTENT_JOB_DEADLINE_SECONDS must be at least OPENAI_TIMEOUT_SECONDS + "
                f"{CONTENT_DEADLINE_SLACK:.0f} (one model read may run that long past the model's "
                "share of the deadline)"
            )
        if self.sweeper_statement_timeout_ms >= self.job_lease_seconds * 1000:
            problems.append("SWEEPER_STATEMENT_TIMEOUT_MS must be shorter than JOB_LEASE_SECONDS")
        if problems:
            raise ValueError("; ".join(problems))
        return self

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


def parse_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """TRUSTED_PROXIES as networks; refuses '*' and ranges that contain every address."""
    networks = []
    for part in (item.strip() for item in value.split(",")):
        if not part:
            continue
        if part == "*":
            raise ValueError("TRUSTED_PROXIES must list CIDRs; '*' would trust every client")
        try:
            network = ipaddress.ip_network(part, strict=False)
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {part!r} is not an IP address or CIDR") from exc
        if network.prefixlen == 0:
            raise ValueError(f"TRUSTED_PROXIES: {part} would trust every client")
        networks.append(network)
    return tuple(networks)


def _with_driver(url: str, scheme: str) -> str:
    _, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    return f"{scheme}://{rest}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
