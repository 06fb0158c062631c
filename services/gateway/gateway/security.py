"""Access tokens: JWT, HS256 pinned, with expiry, a key id, a token version and an id.

* `kid` (header) names the signing secret (`ailp.secret_policy.key_id`), so that after a
  rotation tokens signed with JWT_SECRET_PREVIOUS still verify until they expire, and nothing
  else does.
* `ver` is the user's `token_version` when the token was issued: a password change (or "sign
  out everywhere") increments it, which refuses every earlier token.
* `jti` identifies the token, so that logging out revokes exactly this one.

Whether a token is still current (not logged out, version unchanged, account not deleted) is
PostgreSQL's answer, cached briefly by `gateway.auth.revocation`.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt

from ailp.config import Settings
from ailp.errors import Unauthorized
from ailp.secret_policy import key_id

ALGORITHM = "HS256"
ISSUER = "ailp"
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "ver", "jti"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int
    jti: str


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    version: int
    jti: str
    expires_at: int


def issue_token(settings: Settings, user_id: int, *, version: int) -> AccessToken:
    now = int(time.time())
    expires_in = settings.access_token_expire_minutes * 60
    secret = settings.jwt_secret.get_secret_value()
    jti = secrets.token_urlsafe(16)
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + expires_in,
        "iss": ISSUER,
        "ver": version,
        "jti": jti,
    }
    token = jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": key_id(secret)})
    return AccessToken(token, expires_in, jti)


def verification_keys(settings: Settings) -> dict[str, str]:
    """kid → secret for every secret that may verify a token now (current, then previous)."""
    keys = {}
    if settings.jwt_secret_previous is not None:
        previous = settings.jwt_secret_previous.get_secret_value()
        keys[key_id(previous)] = previous
    current = settings.jwt_secret.get_secret_value()
    keys[key_id(current)] = current
    return keys


class VerifiedTokens:
    """Tokens whose signature and claims were already checked, with their claims.

    Every authenticated request carries the same token for up to its lifetime, and verifying an
    HS256 JWT (base64, JSON, HMAC, claim checks) was a tenth of a hot read's CPU. A token string
    is only ever cached after a full `jwt.decode`, so a hit proves what a decode would; expiry is
    still checked on every hit, and the key includes the secrets the token was verified with.
    Revocation is checked separately on every request (`gateway.auth.revocation`).
    Bounded: the oldest entry goes first once `capacity` is reached.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._entries: dict[tuple[str, str], TokenClaims] = {}

    def get(self, key: tuple[str, str], now: float) -> TokenClaims | None:
        claims = self._entries.get(key)
        if claims is None:
            return None
        if now >= claims.expires_at:
            del self._entries[key]
            return None
        return claims

    def put(self, key: tuple[str, str], claims: TokenClaims) -> None:
        if len(self._entries) >= self.capacity:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = claims


_verified = VerifiedTokens()
_INVALID = "The access token is not valid. Sign in to get a new one."


def claims_from_token(settings: Settings, token: str) -> TokenClaims:
    """The token's claims if its signature, key id, algorithm and claims are valid (401 else)."""
    keys = verification_keys(settings)
    fingerprint = ",".join(keys)
    cached = _verified.get((fingerprint, token), time.time())
    if cached is not None:
        return cached
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        secret = keys.get(kid) if isinstance(kid, str) else None
        if secret is None:
            raise Unauthorized(
                "The access token was signed with a key that is no longer accepted. "
                "Sign in again to get a new one."
            )
        decoded = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": _REQUIRED_CLAIMS},
        )
        claims = TokenClaims(
            user_id=_row_id(decoded["sub"]),
            version=_integer(decoded["ver"]),
            jti=_short_text(decoded["jti"]),
            expires_at=int(decoded["exp"]),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired. Sign in again to get a new one.") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Unauthorized(_INVALID) from exc
    _verified.put((fingerprint, token), claims)
    return claims


def _row_id(value: object) -> int:
    user_id = int(str(value))
    if not 0 < user_id < 2**63:
        raise ValueError("not a user id")
    return user_id


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not an integer")
    return value


def _short_text(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise ValueError("not a token id")
    return value
