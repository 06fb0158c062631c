"""FastAPI dependencies as `Annotated` aliases: the pool, the broker, the limiter, the caller."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from ailp.config import Settings
from ailp.errors import Forbidden, Unauthorized
from ailp.models.enums import Role
from gateway.auth.broadcast import Revocations
from gateway.broker import Broker
from gateway.client_address import client_address_of
from gateway.passwords import PasswordHashing
from gateway.ratelimit import RateLimiter
from gateway.security import TokenClaims, claims_from_token
from gateway.users import repository as users


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


async def _broker(request: Request) -> Broker:
    return request.app.state.broker


async def _limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter


async def _hashing(request: Request) -> PasswordHashing:
    return request.app.state.hashing


async def _revocations(request: Request) -> Revocations:
    return request.app.state.revocations


class _BearerUser(HTTPBearer):
    """The caller's user id from `Authorization: Bearer <token>`, once the token is verified and
    still current (not revoked).

    One dependency rather than `HTTPBearer` plus a function using it: it runs on every
    authenticated request, and each level of FastAPI's dependency solving has a visible cost.
    Subclassing `HTTPBearer` keeps the bearer scheme in the OpenAPI document.
    """

    async def __call__(self, request: Request) -> int:  # type: ignore[override]
        state = request.app.state
        claims = claims_from_token(state.settings, _bearer_token(request))
        await state.token_states.require_current(state.pool, claims)
        return claims.user_id


def _bearer_token(request: Request) -> str:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "This endpoint needs `Authorization: Bearer <token>`; "
            "get a token from POST /api/auth/token."
        )
    return token


_current_user_id = _BearerUser(
    auto_error=False,
    scheme_name="bearerAuth",
    description="The `access_token` from POST /api/auth/token",
)


async def _current_admin_id(
    request: Request, user_id: Annotated[int, Depends(_current_user_id)]
) -> int:
    role = await users.role_of(request.app.state.pool, user_id=user_id)
    if role is None:
        raise Unauthorized("The account behind this token no longer exists. Sign in again.")
    if role != Role.admin:
        raise Forbidden("This needs an administrator account.")
    return user_id


SettingsDep = Annotated[Settings, Depends(_settings)]
PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]
BrokerDep = Annotated[Broker, Depends(_broker)]
LimiterDep = Annotated[RateLimiter, Depends(_limiter)]
HashingDep = Annotated[PasswordHashing, Depends(_hashing)]
RevocationsDep = Annotated[Revocations, Depends(_revocations)]
CurrentUserId = Annotated[int, Depends(_current_user_id)]
CurrentAdminId = Annotated[int, Depends(_current_admin_id)]


def current_token(request: Request) -> TokenClaims:
    """The claims of the token that authenticated this request (after `CurrentUserId`; a cache
    hit, so the hot path need not keep them anywhere)."""
    return claims_from_token(request.app.state.settings, _bearer_token(request))


def client_address(request: Request) -> str:
    """The client's address: the direct peer, or behind trusted proxies the right-most
    X-Forwarded-For hop that is not one of them (see `gateway.client_address`)."""
    peer = request.client.host if request.client else None
    return client_address_of(
        peer, request.headers.getlist("x-forwarded-for"), request.app.state.trusted_proxies
    )
