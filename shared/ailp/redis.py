"""Synchronous Redis client for workers and the sweeper (one per process, built lazily)."""

from __future__ import annotations

import redis

from ailp.config import get_settings
from ailp.logging import get_logger

log = get_logger(__name__)
_client: redis.Redis | None = None
_broker: redis.Redis | None = None


def get_redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            get_settings().redis_url,
            socket_timeout=5,
            socket_connect_timeout=3,
            health_check_interval=30,
            retry_on_timeout=True,
        )
    return _client


def get_broker_redis() -> redis.Redis:
    """The broker's Redis (queues and their message markers), for publishing from sync code."""
    global _broker
    if _broker is None:
        _broker = redis.Redis.from_url(
            get_settings().celery_broker_url, socket_timeout=5, socket_connect_timeout=3
        )
    return _broker


def reset_redis() -> None:
    """Forget this process's clients (after fork)."""
    global _client, _broker
    _client = None
    _broker = None


def check_eviction_policy(client: redis.Redis) -> str:
    """Warn loudly unless Redis refuses to evict keys: eviction would silently drop queued tasks
    (docs/architecture.md, Hard-won rules)."""
    try:
        policy = str(client.config_get("maxmemory-policy").get("maxmemory-policy", "unknown"))
    except redis.ResponseError:  # CONFIG is disabled on some managed Redis offerings
        policy = "unknown"
    warn_unless_noeviction(policy)
    return policy


def warn_unless_noeviction(policy: str | bytes | None) -> None:
    """The warning itself, for sync and async callers alike."""
    if isinstance(policy, bytes):
        policy = policy.decode()
    if policy != "noeviction":
        log.warning(
            "redis_eviction_policy_unsafe",
            policy=str(policy),
            advice="set maxmemory-policy noeviction; evicted queue keys lose tasks",
        )
