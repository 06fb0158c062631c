"""Registration, sign-in and sign-out, with per-account and per-address limits.

Password hashing is the expensive step (argon2id: memory and CPU), so everything cheap that can
refuse a request runs first: the per-address sign-up limit, then the duplicate check.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from ailp.config import Settings
from ailp.errors import Conflict, Unauthorized
from gateway.auth.broadcast import Revocations
from gateway.auth.schemas import RegisterIn, TokenIn
from gateway.db import Duplicate
from gateway.passwords import PasswordHashing
from gateway.ratelimit import Limit, RateLimiter
from gateway.security import AccessToken, TokenClaims, issue_token
from gateway.users import repository as users

_FAILURES_ACCOUNT = "login-fail-account"
_FAILURES_ADDRESS = "login-fail-address"
_REGISTRATIONS_ADDRESS = "register-address"
_TOO_MANY = "Too many failed sign-ins. Wait until Retry-After has passed, then try again."
_GONE = "The account behind this token no longer exists."
_TOO_MANY_SIGN_UPS = (
    "Too many accounts were created from your network address recently. "
    "Wait until Retry-After has passed, then try again."
)


async def register(
    pool: asyncpg.Pool,
    limiter: RateLimiter,
    hashing: PasswordHashing,
    settings: Settings,
    *,
    data: RegisterIn,
    address: str,
) -> dict[str, Any]:
    await limiter.hit(
        Limit(
            _REGISTRATIONS_ADDRESS,
            address,
            settings.registration_limit_per_address,
            settings.registration_limit_window_seconds,
        ),
        detail=_TOO_MANY_SIGN_UPS,
    )
    email = str(data.email)
    taken = await users.taken_field(pool, username=data.username, email=email)
    if taken is not None:  # answered before any hashing
        raise _taken(taken)
    password_hash = await hashing.hash(data.password)
    # The unique indexes still decide a race between two sign-ups for the same name.
    try:
        row = await users.insert(
            pool, username=data.username, email=email, password_hash=password_hash
        )
    except Duplicate as exc:
        raise _taken("email" if "email" in exc.constraint else "username") from exc
    return dict(row)


def _taken(field: str) -> Conflict:
    return Conflict(
        f"That {field} is already registered. Choose another {field}, or sign in.", field=field
    )


async def sign_in(
    pool: asyncpg.Pool,
    limiter: RateLimiter,
    hashing: PasswordHashing,
    settings: Settings,
    *,
    data: TokenIn,
    address: str,
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
    stored = row["password_hash"] if row else None
    kept = await hashing.verify_and_rehash(stored, data.password)
    if kept is None or row is None:
        raise Unauthorized("Wrong username or password.")
    if (
        stored is not None and kept != stored
    ):  # made with older argon2 parameters: keep today's from now on
        await users.replace_hash(pool, user_id=row["id"], old_hash=stored, new_hash=kept)
    await limiter.reset(per_account)
    await limiter.refund(per_address)
    return issue_token(settings, row["id"], version=row["token_version"])


async def logout(pool: asyncpg.Pool, revocations: Revocations, *, claims: TokenClaims) -> None:
    """Refuse this token from now on (stored in PostgreSQL until it would have expired)."""
    await users.revoke_token(pool, claims=claims)
    await revocations.token_revoked(claims)


async def logout_everywhere(pool: asyncpg.Pool, revocations: Revocations, *, user_id: int) -> None:
    """Refuse every token issued to this user so far."""
    if not await users.bump_token_version(pool, user_id=user_id):
        raise Unauthorized(_GONE)
    await revocations.user_revoked(user_id)
