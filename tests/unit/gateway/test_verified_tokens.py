"""The verified-token cache must never accept what a full JWT decode would reject."""

from __future__ import annotations

import time

import jwt
import pytest
from pydantic import SecretStr

from ailp.config import Settings
from ailp.errors import Unauthorized
from gateway.security import ALGORITHM, VerifiedTokens, issue_token, user_id_from_token

SECRET = "unit-test-secret-of-a-decent-length-0123456789"


def _settings(secret: str = SECRET) -> Settings:
    return Settings(jwt_secret=SecretStr(secret))


def test_a_cached_token_keeps_its_subject_until_it_expires() -> None:
    cache = VerifiedTokens()
    cache.put(("s", "t"), 7, expires_at=100)
    assert cache.get(("s", "t"), now=99.9) == 7
    assert cache.get(("s", "t"), now=100) is None
    assert cache.get(("s", "t"), now=50) is None  # dropped once seen expired


def test_the_oldest_entry_goes_first_when_full() -> None:
    cache = VerifiedTokens(capacity=2)
    for n in range(3):
        cache.put(("s", str(n)), n, expires_at=10**12)
    assert cache.get(("s", "0"), now=0) is None
    assert cache.get(("s", "1"), now=0) == 1
    assert cache.get(("s", "2"), now=0) == 2


def test_a_token_verified_under_one_secret_is_not_accepted_under_another() -> None:
    token = issue_token(_settings(), 42).token
    assert user_id_from_token(_settings(), token) == 42
    assert user_id_from_token(_settings(), token) == 42  # from the cache
    with pytest.raises(Unauthorized):
        user_id_from_token(_settings("another-secret-of-a-decent-length-9876543210"), token)


def test_an_expired_token_is_refused_even_after_it_was_cached() -> None:
    # Whole seconds (JWT): it expires 2 to 3 s from now, so it is surely valid when first checked.
    issued_at = int(time.time())
    expires_at = issued_at + 3
    claims = {"sub": "5", "iat": issued_at, "exp": expires_at, "iss": "ailp"}
    token = jwt.encode(claims, SECRET, algorithm=ALGORITHM)
    assert user_id_from_token(_settings(), token) == 5
    time.sleep(max(0.0, expires_at - time.time()) + 0.05)
    with pytest.raises(Unauthorized, match="expired"):
        user_id_from_token(_settings(), token)
