"""Registration and sign-in, with per-account and per-address limits on failed sign-ins."""

from __future__ import annotations

import anyio
import asyncpg

from ailp.config import Settings
from ailp.errors import Unauthorized
from gateway.auth.schemas import RegisterIn, TokenIn
from gateway.ratelimit import RateLimiter
from gateway.security import AccessToken, hash_password, issue_token, verify_password
from gateway.users import repository as users

_FAILURES_ACCOUNT = "login-fail-account"
_FAILURES_ADDRESS = "login-fail-address"
_TOO_MANY = "Too many failed sign-ins. Wait until Retry-After has passed, then try again."


async def register(pool: asyncpg.Pool, *, data: RegisterIn) -> asyncpg.Record:
    # argon2id is deliberately slow; hash off the event loop.
    password_hash = await anyio.to_thread.run_sync(hash_password, data.password)
    return await users.insert(
        pool, username=data.username, email=str(data.email), password_hash=password_hash
    )


async def sign_in(
    pool: asyncpg.Pool, limiter: RateLimiter, settings: Settings, *, data: TokenIn, address: str
) -> AccessToken:
    window = settings.login_failure_window_seconds
    account = data.username.lower()
    await limiter.check(
        _FAILURES_ACCOUNT,
        account,
        limit=settings.login_failures_per_account,
        window=window,
        detail=_TOO_MANY,
    )
    await limiter.check(
        _FAILURES_ADDRESS,
        address,
        limit=settings.login_failures_per_address,
        window=window,
        detail=_TOO_MANY,
    )
    row = await users.get_credentials(pool, username=data.username)
    password_hash = row["password_hash"] if row else None
    valid = await anyio.to_thread.run_sync(verify_password, password_hash, data.password)
    if not valid or row is None:
        await limiter.hit(
            _FAILURES_ACCOUNT,
            account,
            limit=settings.login_failures_per_account,
            window=window,
            detail=_TOO_MANY,
        )
        await limiter.hit(
            _FAILURES_ADDRESS,
            address,
            limit=settings.login_failures_per_address,
            window=window,
            detail=_TOO_MANY,
        )
        raise Unauthorized("Wrong username or password.")
    await limiter.reset(_FAILURES_ACCOUNT, account)
    return issue_token(settings, row["id"])
