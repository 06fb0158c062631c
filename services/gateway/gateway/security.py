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


def user_id_from_token(settings: Settings, token: str) -> int:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        return int(claims["sub"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired. Sign in again to get a new one.") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("The access token is not valid. Sign in to get a new one.") from exc
