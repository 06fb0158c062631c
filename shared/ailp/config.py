"""One `Settings` class for every service: environment first, `.env` for development.

Every field maps to an upper-case environment variable of the same name (`database_url` ←
`DATABASE_URL`) and carries a description: `.env.example` is generated from them
(`ailp config --env-example`, checked by tests/ops/test_settings_export.py), and the scripts ask
`ailp config --export` for the values they need instead of copying defaults.
"""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ailp.prices import ModelPrice, price_of
from ailp.secret_policy import check_jwt_secret

# CONTENT_JOB_DEADLINE_SECONDS must exceed OPENAI_TIMEOUT_SECONDS by at least this: a content
# job's model calls stop one read timeout plus `content_worker.service.FINISH_SECONDS` before the
# deadline (one read may run that long past it; the fallback and the final write need the rest),
# which leaves at least 30 s for the model.
CONTENT_DEADLINE_SLACK = 40.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    # --- general -----------------------------------------------------------------------------
    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="development | test | production (production refuses to start without a "
        "private JWT_SECRET of 32+ characters)",
    )
    log_level: str = Field(
        default="INFO", description="Log level of every service: DEBUG, INFO, WARNING, ERROR"
    )
    log_format: Literal["json", "console"] = Field(
        default="json",
        description="json (one JSON object per line) | console (human-readable, for a terminal)",
    )

    # --- storage -----------------------------------------------------------------------------
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/ailp",
        description="PostgreSQL, the source of truth (make up creates this database if it is "
        "missing)",
    )
    db_pool_size: int = Field(
        default=10, ge=1, le=200, description="Database connections kept open per process"
    )
    db_max_overflow: int = Field(
        default=5, ge=0, le=200, description="Extra database connections allowed under load"
    )
    db_statement_timeout_ms: int = Field(
        default=15_000,
        ge=100,
        description="Statements running longer than this are cancelled (milliseconds)",
    )
    db_statement_cache_size: int = Field(
        default=100,
        ge=0,
        description="Prepared statements the gateway caches per connection; set 0 behind "
        "PgBouncer in transaction mode (it cannot keep a statement on one server connection)",
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="Redis: rate limits, budgets, cache, and the Celery broker (must use "
        "maxmemory-policy noeviction)",
    )
    broker_url: str | None = Field(
        default=None,
        description="Celery broker, when not REDIS_URL (unset = REDIS_URL)",
        examples=["redis://127.0.0.1:6379/0"],
    )
    broker_visibility_timeout: int = Field(
        default=3600,
        ge=60,
        description="Seconds before Redis re-delivers an unacknowledged task; keep above the "
        "longest task time limit",
    )

    # --- gateway -----------------------------------------------------------------------------
    host: str = Field(
        default="127.0.0.1", description="Address the gateway listens on (containers use 0.0.0.0)"
    )
    port: int = Field(default=8000, ge=1, le=65535, description="Port the gateway listens on")
    web_concurrency: int = Field(
        default=2, ge=1, le=64, description="uvicorn worker processes (about one per CPU core)"
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Request bodies larger than this are refused with 413 (bytes)",
    )
    web_dist_dir: str | None = Field(
        default=None,
        description="Folder with the built web app for the gateway to serve (unset = none)",
        examples=["services/web/dist"],
    )
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
    access_token_expire_minutes: int = Field(
        default=60, ge=1, le=60 * 24 * 30, description="Lifetime of an access token (minutes)"
    )
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
    login_failures_per_account: int = Field(
        default=10,
        ge=1,
        description="Failed logins allowed per account within the window, then 429",
    )
    login_failures_per_address: int = Field(
        default=50,
        ge=1,
        description="Failed logins allowed per client address within the window, then 429",
    )
    login_failure_window_seconds: int = Field(
        default=900, ge=1, description="The window of the failed-login limits (seconds)"
    )
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
    job_submissions_per_minute: int = Field(
        default=60, ge=1, description="Job submissions per user per minute, then 429"
    )
    max_queued_jobs_per_user: int = Field(
        default=50, ge=1, description="Unfinished (queued or running) jobs per user, then 429"
    )
    idempotency_window_hours: int = Field(
        default=24, ge=1, description="How long an Idempotency-Key is remembered (hours)"
    )
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
    job_max_attempts: int = Field(
        default=3, ge=1, le=20, description="Attempts before a job ends `failed`"
    )
    job_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A running job's lease; the sweeper puts it back in the queue when the lease "
        "expires without a heartbeat",
    )
    job_heartbeat_seconds: float = Field(
        default=15.0, gt=0, description="How often a running job renews its lease"
    )
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
    job_retention_days: int = Field(
        default=30,
        ge=1,
        description="Finished jobs (succeeded, failed, canceled) older than this are deleted in "
        "batches; the content they produced stays",
    )
    analytics_recompute_delay_seconds: float = Field(
        default=10.0,
        ge=0,
        description="New sessions or answers schedule one analytics recomputation per learner "
        "after this delay (seconds)",
    )
    analytics_recompute_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Analytics window of the scheduled and batch recomputations (days)",
    )
    content_task_time_limit: int = Field(
        default=600, ge=10, description="Hard time limit of one content task (seconds)"
    )
    content_job_deadline_seconds: float = Field(
        default=300.0,
        ge=60,
        description="Every content job ends (succeeded, possibly with offline content, or failed) "
        "within this many seconds of its start, whatever the model does.",
    )
    analytics_task_time_limit: int = Field(
        default=300, ge=10, description="Hard time limit of one analytics task (seconds)"
    )

    # --- model -------------------------------------------------------------------------------
    openai_api_key: SecretStr | None = Field(
        default=None,
        description="API key; unset: no model calls, every piece of content is the offline "
        "fallback",
        examples=["sk-..."],
    )
    openai_base_url: str | None = Field(
        default=None,
        description="Base URL of any OpenAI-compatible server (unset = OpenAI itself)",
        examples=["http://127.0.0.1:11434/v1"],
    )
    openai_model: str = Field(
        default="gpt-4o-mini",
        description="Model name; it must have a price (genai-prices' table or OPENAI_PRICES), "
        "else the content worker refuses to start",
    )
    openai_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest wait for one read of a model answer (seconds); a whole call is also "
        "bounded by the content job's deadline",
    )
    openai_max_attempts: int = Field(
        default=4,
        ge=1,
        le=10,
        description="Attempts per model call (ours is the only retry layer)",
    )
    openai_backoff_base_seconds: float = Field(
        default=0.5, ge=0, description="Exponential backoff between model call attempts: base"
    )
    openai_backoff_max_seconds: float = Field(
        default=20.0, ge=0, description="Exponential backoff between model call attempts: cap"
    )
    openai_max_tokens: int = Field(
        default=1800, ge=64, description="Upper bound of output tokens per call"
    )
    openai_rpm_limit: int = Field(
        default=3500,
        ge=1,
        description="Model requests per window, shared by all content-worker replicas",
    )
    openai_tpm_limit: int = Field(
        default=90_000,
        ge=1,
        description="Model tokens per window, shared by all content-worker replicas",
    )
    openai_daily_budget_usd: float = Field(
        default=2.0,
        ge=0,
        description="Model spend allowed per UTC day, for all replicas together (USD); then the "
        "fallback is served",
    )
    openai_user_daily_budget_usd: float = Field(
        default=0.10,
        ge=0,
        description="Model spend allowed per user per UTC day; past it that user's content falls "
        "back to offline pieces (with a notice) while other users go on.",
    )
    openai_limit_window_seconds: float = Field(
        default=60.0,
        gt=0,
        description="The RPM/TPM limits hold for every window of this length (60 s: per minute)",
    )
    openai_max_inline_wait_seconds: float = Field(
        default=5.0,
        ge=0,
        description="A call that would wait longer than this for the limits gives its worker "
        "slot back and re-queues its job (no attempt is used)",
    )
    openai_prices: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description='Prices that override the maintained table (genai-prices), JSON: {"model": '
        '{"input": usd_per_1k_tokens, "output": usd_per_1k_tokens}}',
    )
    content_cache_max_age_days: int = Field(
        default=30, ge=1, description="Cached content older than this is generated anew (days)"
    )

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
    content_worker_concurrency: int = Field(
        default=32,
        ge=1,
        le=256,
        description="Model calls in flight per content-worker process (threads: they wait on "
        "the network; the database pool stays at 12 or fewer)",
    )
    analytics_worker_concurrency: int = Field(
        default=2, ge=1, le=64, description="Processes per analytics worker (CPU-bound: cores)"
    )
    content_metrics_port: int = Field(
        default=9101, ge=0, le=65535, description="Port of the content worker's /metrics (0: off)"
    )
    analytics_metrics_port: int = Field(
        default=9102,
        ge=0,
        le=65535,
        description="Port of the analytics worker's /metrics (0: off)",
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="Address the workers' /metrics listen on"
    )

    # --- backups (make backup / make restore) --------------------------------------------------
    backup_dir: str = Field(
        default="backups",
        description="Folder for `make backup` files (relative: to the repository)",
    )
    backup_age_recipient: str | None = Field(
        default=None,
        description="Encrypt backups to this age public key (unset: no age encryption)",
        examples=["age1..."],
    )
    backup_gpg_recipient: str | None = Field(
        default=None,
        description="Encrypt backups to this GnuPG key id or e-mail (unset: no gpg encryption)",
        examples=["ops@example.com"],
    )
    backup_upload_command: str | None = Field(
        default=None,
        description="Run after each backup with the file as $1, e.g. to copy it off the machine "
        "(unset: keep it local only)",
        examples=['aws s3 cp "$1" s3://my-bucket/ailp/'],
    )

    @field_validator(
        "openai_api_key",
        "openai_base_url",
        "broker_url",
        "web_dist_dir",
        "backup_age_recipient",
        "backup_gpg_recipient",
        "backup_upload_command",
        mode="before",
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
    def _tests_sign_with_a_secret_of_their_own(self) -> Self:
        if not self.jwt_secret.get_secret_value() and self.environment == "test":
            self.jwt_secret = SecretStr(secrets.token_urlsafe(48))
        return self

    def refuse_weak_secrets(self) -> Self:
        """No running stack signs with a guessable key; only tests may go without one. Raises
        `InsecureSecret`. Every service (gateway, both workers, the sweeper) calls it at start;
        tools that never sign a token (`ailp migrate`, `ailp config`) do not need a secret."""
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

    def model_price(self, model: str) -> ModelPrice:
        """USD per 1,000 tokens; raises `UnknownModelPrice` rather than guess (ailp.prices)."""
        return price_of(model, overrides=self.openai_prices, base_url=self.openai_base_url)

    def require_model_price(self) -> None:
        """Refuse to start a content worker that would call a model it cannot price."""
        if self.openai_api_key is not None:
            self.model_price(self.openai_model)


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
    """This process's settings, loaded once. A service also calls `refuse_weak_secrets` before
    it starts serving; tools that never sign a token (migrations, `ailp config`) need no secret."""
    return Settings()
