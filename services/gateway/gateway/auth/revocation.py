"""Is a verified token still current? PostgreSQL decides; each process caches the answer briefly.

A token stops being current when it is logged out (its `jti` is in `revoked_tokens`), when the
user's `token_version` moved past the token's `ver` (password change, sign out everywhere), or
when the account is gone. All three live in PostgreSQL, so revocation survives the loss of
Redis data.

The hot path must stay cheap (GET /api/jobs/{id} is benchmarked), so each gateway process keeps
"current" answers for TOKEN_STATE_CACHE_SECONDS and asks again (one indexed round trip) after
that. The process that revokes a token forgets its cached answers at once and announces it to
the others (`gateway.auth.broadcast`), which forget theirs; without the announcement (Redis
away) they refuse the token at most TOKEN_STATE_CACHE_SECONDS later. "Revoked" answers are final
and kept until the token expires.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from ailp.errors import Unauthorized
from gateway.security import TokenClaims

_STATE = """
SELECT u.token_version = $2
       AND NOT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $3) AS current
FROM users u WHERE u.id = $1
"""

_REVOKED = "This access token was revoked (signed out, password changed). Sign in again."
_GONE = "The account behind this token no longer exists."


@dataclass(slots=True)
class _State:
    user_id: int
    current: bool
    checked_at: float
    expires_at: int


class TokenStates:
    def __init__(self, *, ttl_seconds: float, capacity: int = 8192) -> None:
        self.ttl_seconds = ttl_seconds
        self.capacity = capacity
        self._states: dict[str, _State] = {}

    async def require_current(self, pool: asyncpg.Pool, claims: TokenClaims) -> None:
        """Return if the token is current, else raise 401."""
        now = time.monotonic()
        state = self._states.get(claims.jti)
        if state is None or (state.current and now - state.checked_at >= self.ttl_seconds):
            row = await pool.fetchrow(_STATE, claims.user_id, claims.version, claims.jti)
            if row is None:
                self._remember(claims, current=False, now=now)
                raise Unauthorized(_GONE)
            state = self._remember(claims, current=bool(row["current"]), now=now)
        if not state.current:
            raise Unauthorized(_REVOKED)

    def revoke_token(self, claims: TokenClaims) -> None:
        """This process refuses the token from now on (the caller stored the revocation)."""
        self._remember(claims, current=False, now=time.monotonic())

    def forget_token(self, jti: str) -> None:
        """Ask PostgreSQL again about this token (another process revoked it)."""
        self._states.pop(jti, None)

    def forget_user(self, user_id: int) -> None:
        """Ask PostgreSQL again about every token of this user (version changed, user gone)."""
        for jti in [jti for jti, state in self._states.items() if state.user_id == user_id]:
            del self._states[jti]

    def _remember(self, claims: TokenClaims, *, current: bool, now: float) -> _State:
        if claims.jti not in self._states and len(self._states) >= self.capacity:
            self._evict(now)
        state = _State(claims.user_id, current, now, claims.expires_at)
        self._states[claims.jti] = state
        return state

    def _evict(self, now: float) -> None:
        wall = time.time()
        for jti in [jti for jti, s in self._states.items() if s.expires_at <= wall]:
            del self._states[jti]
        if len(self._states) >= self.capacity:
            del self._states[next(iter(self._states))]
