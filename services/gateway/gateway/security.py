"""Password hashing (argon2id) and access tokens (JWT, HS256 pinned, with expiry)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ailp.config import Settings
from ailp.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "ailp"

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
# Verified when the user does not exist, so that both paths cost the same (no user enumeration).
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int


def issue_token(settings: Settings, user_id: int) -> AccessToken:
    now = int(time.time())
    expires_in = settings.access_token_expire_minutes * 60
    claims = {"sub": str(user_id), "iat": now, "exp": now + expires_in, "iss": ISSUER}
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)
    return AccessToken(token, expires_in)


class VerifiedTokens:
    """Tokens whose signature and claims were already checked, with their subject and expiry.

    Every authenticated request carries the same token for up to its lifetime, and verifying an
    HS256 JWT (base64, JSON, HMAC, claim checks) was a tenth of a hot read's CPU. A token string
    is only ever cached after a full `jwt.decode`, so a hit proves what a decode would; expiry is
    still checked on every hit, and the key includes the secret the token was verified with.
    Bounded: the oldest entry goes first once `capacity` is reached.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._entries: dict[tuple[str, str], tuple[int, int]] = {}

    def get(self, key: tuple[str, str], now: float) -> int | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        user_id, expires_at = entry
        if now >= expires_at:
            del self._entries[key]
            return None
        return user_id

    def put(self, key: tuple[str, str], user_id: int, expires_at: int) -> None:
        if len(self._entries) >= self.capacity:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (user_id, expires_at)


_verified = VerifiedTokens()


def user_id_from_token(settings: Settings, token: str) -> int:
    secret = settings.jwt_secret.get_secret_value()
    cached = _verified.get((secret, token), time.time())
    if cached is not None:
        return cached
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        user_id = int(claims["sub"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired. Sign in again to get a new one.") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("The access token is not valid. Sign in to get a new one.") from exc
    _verified.put((secret, token), user_id, int(claims["exp"]))
    return user_id
