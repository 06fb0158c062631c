"""OWASP API2:2023 Broken Authentication.

The token matrix: no token, expired, `alg: none`, another algorithm, a tampered payload, a
token signed with a published placeholder, a logged-out token, every token after a password
change, tokens of a deleted account, and the previous key after the rotation's grace period —
each refused with 401. Revocation lives in PostgreSQL: it survives the loss of Redis data.
Brute force: a spoofed left-most X-Forwarded-For hop does not dodge the per-address limit.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from ailp.secret_policy import key_id
from tests.security.conftest import (
    LOGIN_FAILURES_PER_ADDRESS,
    client,
    signed_up,
    unique_name,
    wait_refused,
)
from tests.support.api import Api, assert_problem
from tests.support.database import flush_redis
from tests.support.processes import Stack

PASSWORD = "correct-horse-42"


def _claims(api: Api) -> dict[str, Any]:
    assert api.token
    return jwt.decode(api.token, options={"verify_signature": False})


def _get_me(api: Api, token: str) -> int:
    return api.http.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _fresh_get_me(stack: Stack, token: str) -> int:
    """On a connection of its own (a client's keep-alive connection stays with one process)."""
    return httpx.get(
        f"{stack.base_url}/api/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).status_code


def _sign(claims: dict[str, Any], secret: str, *, algorithm: str = "HS256", kid: str = "") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm, headers={"kid": kid or key_id(secret)})


# --- forged, expired and malformed tokens ------------------------------------------------------
def _matrix(stack: Stack, api: Api) -> dict[str, str | None]:
    claims = _claims(api)
    secret = stack.jwt_secret
    kid = key_id(secret)
    header, payload, signature = (api.token or "").split(".")
    other_user = {**claims, "sub": str(int(claims["sub"]) + 1)}
    tampered_payload = base64.urlsafe_b64encode(json.dumps(other_user).encode()).rstrip(b"=")
    return {
        "none": None,
        "expired": _sign({**claims, "exp": int(time.time()) - 5}, secret),
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"kid": kid}),
        "HS512 with the real secret": _sign(claims, secret, algorithm="HS512"),
        "HS384 with the real secret": _sign(claims, secret, algorithm="HS384"),
        "tampered payload": f"{header}.{tampered_payload.decode()}.{signature}",
        "signature stripped": f"{header}.{payload}.",
        "another secret under the real kid": _sign(claims, secrets.token_urlsafe(48), kid=kid),
        "the old built-in development secret": _sign(
            claims, "dev-only-secret-change-me-in-production-0123456789"
        ),
        "the k8s template placeholder": _sign(claims, "REPLACE_WITH_A_LONG_RANDOM_STRING"),
        "no kid": jwt.encode(claims, secret, algorithm="HS256"),
        "no version": _sign({k: v for k, v in claims.items() if k != "ver"}, secret),
        "no token id": _sign({k: v for k, v in claims.items() if k != "jti"}, secret),
        "a newer version than the account's": _sign({**claims, "ver": claims["ver"] + 1}, secret),
        "another issuer": _sign({**claims, "iss": "someone-else"}, secret),
        "not a JWT": "not-a-jwt",
    }


def test_the_genuine_token_works(api: Api) -> None:
    assert api.token and _get_me(api, api.token) == 200


@pytest.mark.parametrize(
    "case",
    [
        "none",
        "expired",
        "alg none",
        "HS512 with the real secret",
        "HS384 with the real secret",
        "tampered payload",
        "signature stripped",
        "another secret under the real kid",
        "the old built-in development secret",
        "the k8s template placeholder",
        "no kid",
        "no version",
        "no token id",
        "a newer version than the account's",
        "another issuer",
        "not a JWT",
    ],
)
def test_forged_expired_and_malformed_tokens_are_refused(stack: Stack, api: Api, case: str) -> None:
    token = _matrix(stack, api)[case]
    caller = client(stack.base_url)  # sends no token unless given one
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = caller.http.get("/api/users/me", headers=headers)
    problem = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    if case == "expired":
        assert "expired" in problem["detail"]


# --- revocation --------------------------------------------------------------------------------
def test_a_logged_out_token_is_refused_and_others_keep_working(stack: Stack, api: Api) -> None:
    assert api.token
    first = api.token
    second_session = client(stack.base_url)
    second = second_session.sign_in(api.username)
    assert _get_me(api, first) == 200
    response = api.http.post("/api/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert response.status_code == 204 and response.content == b""
    wait_refused(api, token=first)
    assert _get_me(api, second) == 200  # only that token was signed out
    # Logging out again with the refused token is itself refused.
    assert_problem(
        api.http.post("/api/auth/logout", headers={"Authorization": f"Bearer {first}"}), 401
    )


def test_revocation_survives_the_loss_of_redis_data(stack: Stack, api: Api) -> None:
    assert api.token
    token = api.token
    assert api.http.post("/api/auth/logout").status_code == 204
    wait_refused(api, token=token)
    flush_redis(stack.redis_url)
    assert {_get_me(api, token) for _ in range(12)} == {401}


def test_after_a_password_change_every_earlier_token_is_refused(stack: Stack, api: Api) -> None:
    assert api.token and api.username
    earlier = [api.token, client(stack.base_url).sign_in(api.username)]
    response = api.http.post(
        "/api/users/me/password",
        json={"current_password": PASSWORD, "new_password": "battery-staple-43"},
    )
    assert response.status_code == 204, response.text
    for token in earlier:
        wait_refused(api, token=token)
    fresh = client(stack.base_url)
    assert (
        fresh.http.post(
            "/api/auth/token", data={"username": api.username, "password": PASSWORD}
        ).status_code
        == 401
    )
    assert _get_me(api, fresh.sign_in(api.username, "battery-staple-43")) == 200


def test_sign_out_everywhere_refuses_every_earlier_token(stack: Stack, api: Api) -> None:
    assert api.token and api.username
    earlier = [api.token, client(stack.base_url).sign_in(api.username)]
    assert api.http.post("/api/auth/logout-all").status_code == 204
    for token in earlier:
        wait_refused(api, token=token)
    assert _get_me(api, client(stack.base_url).sign_in(api.username)) == 200


def test_a_wrong_current_password_changes_nothing(stack: Stack, api: Api) -> None:
    assert api.token
    response = api.http.post(
        "/api/users/me/password",
        json={"current_password": "not-my-password", "new_password": "battery-staple-43"},
    )
    assert_problem(response, 403)
    assert _get_me(api, api.token) == 200
    assert client(stack.base_url).sign_in(api.username, PASSWORD)


def test_tokens_of_a_deleted_account_are_refused(stack: Stack, api: Api) -> None:
    assert api.token and api.username
    other = client(stack.base_url).sign_in(api.username)
    assert_problem(api.http.request("DELETE", "/api/users/me", json={"password": "wrong-one"}), 403)
    assert _get_me(api, api.token) == 200
    response = api.http.request("DELETE", "/api/users/me", json={"password": PASSWORD})
    assert response.status_code == 204, response.text
    for token in (api.token, other):
        wait_refused(api, token=token)
    again = client(stack.base_url).http.post(
        "/api/auth/token", data={"username": api.username, "password": PASSWORD}
    )
    assert_problem(again, 401)


# --- key rotation ------------------------------------------------------------------------------
def test_rotation_keeps_sessions_for_the_grace_period_then_refuses_the_old_key(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack()
    old_secret = stack["gateway"].env["JWT_SECRET"]
    stack.start("gateway")
    user = client(stack.base_url).new_user()
    assert user.token
    old_token = user.token

    new_secret = secrets.token_urlsafe(48)
    stack["gateway"].env.update({"JWT_SECRET": new_secret, "JWT_SECRET_PREVIOUS": old_secret})
    stack.restart("gateway")
    assert _get_me(user, old_token) == 200  # still signed in during the grace period
    new_token = client(stack.base_url).sign_in(user.username)
    assert jwt.get_unverified_header(new_token)["kid"] == key_id(new_secret)

    stack["gateway"].env.pop("JWT_SECRET_PREVIOUS")
    stack.restart("gateway")
    problem = assert_problem(
        user.http.get("/api/users/me", headers={"Authorization": f"Bearer {old_token}"}), 401
    )
    assert "no longer accepted" in problem["detail"]
    assert _get_me(user, new_token) == 200


# --- brute force behind proxies ------------------------------------------------------------------
def test_a_spoofed_left_most_forwarded_hop_does_not_dodge_the_address_limit(
    stack: Stack, anonymous: Api
) -> None:
    """What our proxy appended (the right-most hop) is the client; the left-most is whatever
    the client wrote. Varying it must not give each guess a fresh address."""
    real = "198.51.100.77"
    statuses = []
    for attempt in range(LOGIN_FAILURES_PER_ADDRESS + 2):
        response = anonymous.http.post(
            "/api/auth/token",
            data={"username": unique_name("nobody"), "password": "wrong-password"},
            headers={"X-Forwarded-For": f"10.{attempt}.{attempt}.{attempt}, {real}"},
        )
        statuses.append(response.status_code)
    assert statuses[:LOGIN_FAILURES_PER_ADDRESS] == [401] * LOGIN_FAILURES_PER_ADDRESS
    assert statuses[LOGIN_FAILURES_PER_ADDRESS:] == [429, 429]
    # Another client behind the same proxy is not locked out with it.
    neighbour = signed_up(stack.base_url)
    assert neighbour.token


def test_every_gateway_process_refuses_a_revoked_token_at_once(
    make_stack: Callable[..., Stack],
) -> None:
    """With a cache bound far longer than the test, only the revocation announcement can make
    the other gateway process refuse the token on the very next requests."""
    stack = make_stack(extra_env={"TOKEN_STATE_CACHE_SECONDS": "30"})
    stack.start("gateway")
    for action in ("logout", "password", "logout-all"):
        user = client(stack.base_url).new_user()
        assert user.token and user.username
        token = user.token
        # Both processes (WEB_CONCURRENCY=2) see the token and cache it as current: a new
        # connection per request, so that both get some.
        assert {_fresh_get_me(stack, token) for _ in range(40)} == {200}
        if action == "logout":
            response = user.http.post("/api/auth/logout")
        elif action == "logout-all":
            response = user.http.post("/api/auth/logout-all")
        else:
            response = user.http.post(
                "/api/users/me/password",
                json={"current_password": PASSWORD, "new_password": "battery-staple-43"},
            )
        assert response.status_code == 204, response.text
        assert [_fresh_get_me(stack, token) for _ in range(40)] == [401] * 40, action
