"""The verified-token cache must never accept what a full JWT decode would reject."""

from __future__ import annotations

import time

import jwt
import pytest
from pydantic import SecretStr

from ailp.config import Settings
from ailp.errors import Unauthorized
from ailp.secret_policy import key_id
from gateway.security import (
    ALGORITHM,
    TokenClaims,
    VerifiedTokens,
    claims_from_token,
    issue_token,
)

SECRET = "unit-test-signing-key-Zq8Kx1Lw7Rb4Tn2Vm5Yc0Hd9"


def _settings(secret: str = SECRET) -> Settings:
    return Settings(jwt_secret=SecretStr(secret))


def _claims(user_id: int, expires_at: int) -> TokenClaims:
    return TokenClaims(user_id=user_id, version=0, jti=f"j{user_id}", expires_at=expires_at)


def test_a_cached_token_keeps_its_claims_until_it_expires() -> None:
    cache = VerifiedTokens()
    cache.put(("s", "t"), _claims(7, 100))
    assert cache.get(("s", "t"), now=99.9) == _claims(7, 100)
    assert cache.get(("s", "t"), now=100) is None
    assert cache.get(("s", "t"), now=50) is None  # dropped once seen expired


def test_the_oldest_entry_goes_first_when_full() -> None:
    cache = VerifiedTokens(capacity=2)
    for n in range(3):
        cache.put(("s", str(n)), _claims(n, 10**12))
    assert cache.get(("s", "0"), now=0) is None
    assert cache.get(("s", "1"), now=0) == _claims(1, 10**12)
    assert cache.get(("s", "2"), now=0) == _claims(2, 10**12)


def test_a_token_verified_under_one_secret_is_not_accepted_under_another() -> None:
    token = issue_token(_settings(), 42, version=0).token
    assert claims_from_token(_settings(), token).user_id == 42
    assert claims_from_token(_settings(), token).user_id == 42  # from the cache
    with pytest.raises(Unauthorized):
        claims_from_token(_settings("another-signing-key-Pq3Ws8Ed1Rf6Tg9Yh2Uj5Ik0"), token)


def test_an_expired_token_is_refused_even_after_it_was_cached() -> None:
    # Whole seconds (JWT): it expires 2 to 3 s from now, so it is surely valid when first checked.
    issued_at = int(time.time())
    expires_at = issued_at + 3
    claims = {
        "sub": "5",
        "iat": issued_at,
        "exp": expires_at,
        "iss": "ailp",
        "ver": 0,
        "jti": "expiring",
    }
    token = jwt.encode(claims, SECRET, algorithm=ALGORITHM, headers={"kid": key_id(SECRET)})
    assert claims_from_token(_settings(), token).user_id == 5
    time.sleep(max(0.0, expires_at - time.time()) + 0.05)
    with pytest.raises(Unauthorized, match="expired"):
        claims_from_token(_settings(), token)
