"""Defect 2/8: tokens name their key (`kid`), carry a version and an id; the previous secret
verifies during a rotation and nothing else does."""

from __future__ import annotations

import jwt
import pytest
from pydantic import SecretStr

from ailp.config import Settings
from ailp.errors import Unauthorized
from ailp.secret_policy import key_id
from gateway.security import claims_from_token, issue_token

OLD = "old-signing-key-Zq8Kx1Lw7Rb4Tn2Vm5Yc0Hd9Pf3"
NEW = "new-signing-key-Pq3Ws8Ed1Rf6Tg9Yh2Uj5Ik0Ol7"
OTHER = "another-key-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"


def _settings(secret: str, previous: str | None = None) -> Settings:
    return Settings(
        environment="production",
        jwt_secret=SecretStr(secret),
        jwt_secret_previous=SecretStr(previous) if previous else None,
    )


def test_a_token_names_its_key_and_carries_version_and_id() -> None:
    issued = issue_token(_settings(NEW), 3, version=7)
    header = jwt.get_unverified_header(issued.token)
    assert header["kid"] == key_id(NEW) and header["alg"] == "HS256"
    claims = claims_from_token(_settings(NEW), issued.token)
    assert (claims.user_id, claims.version, claims.jti) == (3, 7, issued.jti)


def test_tokens_of_the_previous_secret_verify_during_the_rotation() -> None:
    old_token = issue_token(_settings(OLD), 11, version=0).token
    rotated = _settings(NEW, previous=OLD)
    assert claims_from_token(rotated, old_token).user_id == 11
    assert jwt.get_unverified_header(issue_token(rotated, 11, version=0).token)["kid"] == key_id(
        NEW
    )


def test_after_the_grace_period_the_old_key_is_refused() -> None:
    old_token = issue_token(_settings(OLD), 12, version=0).token
    with pytest.raises(Unauthorized, match="no longer accepted"):
        claims_from_token(_settings(NEW), old_token)


def test_a_kid_that_points_at_a_known_key_does_not_help_a_token_signed_with_another() -> None:
    forged = jwt.encode(
        {"sub": "1", "iat": 1, "exp": 2**40, "iss": "ailp", "ver": 0, "jti": "x"},
        OTHER,
        algorithm="HS256",
        headers={"kid": key_id(NEW)},
    )
    with pytest.raises(Unauthorized):
        claims_from_token(_settings(NEW), forged)


@pytest.mark.parametrize("missing", ["ver", "jti", "exp", "sub"])
def test_tokens_without_the_required_claims_are_refused(missing: str) -> None:
    claims = {"sub": "1", "iat": 1, "exp": 2**40, "iss": "ailp", "ver": 0, "jti": "x"}
    del claims[missing]
    token = jwt.encode(claims, NEW, algorithm="HS256", headers={"kid": key_id(NEW)})
    with pytest.raises(Unauthorized):
        claims_from_token(_settings(NEW), token)
