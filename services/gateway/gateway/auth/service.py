"""Registration and sign-in, with per-account and per-address limits on failed sign-ins."""

from __future__ import annotations

import anyio
import asyncpg

from ailp.config import Settings
from ailp.errors import Unauthorized
from gateway.auth.schemas import RegisterIn, TokenIn
from gateway.ratelimit import Limit, RateLimiter
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
    per_account = Limit(
        _FAILURES_ACCOUNT, data.username.lower(), settings.login_failures_per_account, window
    )
    per_address = Limit(_FAILURES_ADDRESS, address, settings.login_failures_per_address, window)
    # Every attempt counts before the password is checked, so parallel guesses cannot all pass
    # a limit that only failures recorded afterwards; a successful one is taken back below.
    await limiter.hit(per_account, per_address, detail=_TOO_MANY)
    row = await users.get_credentials(pool, username=data.username)
    password_hash = row["password_hash"] if row else None
    valid = await anyio.to_thread.run_sync(verify_password, password_hash, data.password)
    if not valid or row is None:
        raise Unauthorized("Wrong username or password.")
    await limiter.reset(per_account)
    await limiter.refund(per_address)
    return issue_token(settings, row["id"])
