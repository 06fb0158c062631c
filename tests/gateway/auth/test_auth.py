"""Accounts and tokens: registration rules, both sign-in forms, token checks, sign-in limits."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from ailp.secret_policy import key_id
from tests.support.api import Api
from tests.support.gateway_app import GatewayApp


def _name() -> str:
    return f"u_{uuid.uuid4().hex[:10]}"


def test_register_returns_the_user_without_secrets(anonymous: Api) -> None:
    name = _name()
    response = anonymous.http.post(
        "/api/auth/register",
        json={"username": name, "email": f"{name}@Example.com", "password": "longenough"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "username", "email", "created_at"}
    assert body["username"] == name and body["created_at"].endswith("Z")


@pytest.mark.parametrize("field", ["username", "email"])
def test_duplicates_conflict_regardless_of_case(anonymous: Api, field: str) -> None:
    name = _name()
    anonymous.http.post(
        "/api/auth/register",
        json={"username": name, "email": f"{name}@example.com", "password": "longenough"},
    )
    other = _name()
    body = {"username": other, "email": f"{other}@example.com", "password": "longenough"}
    body[field] = (name if field == "username" else f"{name}@example.com").upper()
    response = anonymous.http.post("/api/auth/register", json=body)
    assert response.status_code == 409
    assert field in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "ab", "email": "a@example.com", "password": "longenough"},
        {"username": "x" * 81, "email": "a@example.com", "password": "longenough"},
        {"username": "bad name!", "email": "a@example.com", "password": "longenough"},
        {"username": "valid_name", "email": "not-an-email", "password": "longenough"},
        {"username": "valid_name", "email": ("e" * 115) + "@x.com", "password": "longenough"},
        {"username": "valid_name", "email": "a@example.com", "password": "short"},
        {"username": "valid_name", "email": "a@example.com"},
        {
            "username": "valid_name",
            "email": "a@example.com",
            "password": "longenough",
            "role": "admin",
        },
    ],
)
def test_registration_rules(anonymous: Api, body: dict) -> None:
    response = anonymous.http.post("/api/auth/register", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] and problem["detail"]
    assert problem["errors"] and {"loc", "msg"} <= set(problem["errors"][0])
    assert response.headers["content-type"].startswith("application/problem+json")


def test_sign_in_with_form_or_json(anonymous: Api) -> None:
    anonymous.register()
    form = anonymous.http.post(
        "/api/auth/token", data={"username": anonymous.username, "password": "correct-horse-42"}
    )
    as_json = anonymous.http.post(
        "/api/auth/token", json={"username": anonymous.username, "password": "correct-horse-42"}
    )
    for response in (form, as_json):
        assert response.status_code == 200
        token = response.json()
        assert token["token_type"] == "bearer" and token["expires_in"] > 0
        me = anonymous.http.get(
            "/api/users/me", headers={"Authorization": f"Bearer {token['access_token']}"}
        )
        assert me.status_code == 200 and me.json()["username"] == anonymous.username
        assert me.json()["role"] == "user"


def test_wrong_password_and_unknown_user_look_the_same(anonymous: Api) -> None:
    anonymous.register()
    wrong = anonymous.http.post(
        "/api/auth/token",
        data={"username": anonymous.username, "password": "nope-nope"},
        headers={"X-Forwarded-For": "10.1.0.1"},
    )
    unknown = anonymous.http.post(
        "/api/auth/token",
        data={"username": _name(), "password": "nope-nope"},
        headers={"X-Forwarded-For": "10.1.0.1"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_missing_or_bad_tokens_are_401(anonymous: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = anonymous.http.get("/api/learners", headers=headers)
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_expired_and_forged_tokens_are_401(api: Api, stack: GatewayApp) -> None:
    claims = jwt.decode(api.token, options={"verify_signature": False})
    kid = {"kid": key_id(stack.jwt_secret)}
    expired = jwt.encode(
        {**claims, "exp": int(time.time()) - 10}, stack.jwt_secret, algorithm="HS256", headers=kid
    )
    forged = jwt.encode(
        claims, "someone-elses-secret-of-enough-length-000", algorithm="HS256", headers=kid
    )
    unsigned = jwt.encode(claims, None, algorithm="none", headers=kid)
    for token in (expired, forged, unsigned):
        response = api.http.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    assert (
        "expired"
        in api.http.get("/api/users/me", headers={"Authorization": f"Bearer {expired}"}).json()[
            "detail"
        ]
    )


def test_failed_sign_ins_are_limited_per_account(anonymous: Api) -> None:
    anonymous.register()
    statuses = []
    for attempt in range(12):
        response = anonymous.http.post(
            "/api/auth/token",
            data={"username": anonymous.username, "password": "wrong-password"},
            headers={"X-Forwarded-For": f"10.2.{attempt}.1"},  # different addresses, one account
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    limited = anonymous.http.post(
        "/api/auth/token",
        data={"username": anonymous.username, "password": "correct-horse-42"},
        headers={"X-Forwarded-For": "10.2.99.1"},
    )
    assert limited.status_code == 429  # even the right password waits: the account is under attack
    assert int(limited.headers["Retry-After"]) > 0


def test_failed_sign_ins_are_limited_per_address(anonymous: Api) -> None:
    """50 failures per 15 minutes from one address: one more is regained every 18 s (GCRA)."""
    address = f"10.3.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    started = time.monotonic()
    statuses: list[int] = []
    while len(statuses) < 60 and 429 not in statuses:
        statuses.append(
            anonymous.http.post(
                "/api/auth/token",
                data={"username": _name(), "password": "wrong-password"},
                headers={"X-Forwarded-For": address},
            ).status_code
        )
    regained = int((time.monotonic() - started) / 18)
    assert statuses[:50] == [401] * 50
    assert 429 in statuses and statuses.index(429) <= 50 + regained
    elsewhere = anonymous.http.post(
        "/api/auth/token",
        data={"username": _name(), "password": "wrong-password"},
        headers={"X-Forwarded-For": "10.4.0.1"},
    )
    assert elsewhere.status_code == 401  # other addresses are not affected


def test_token_endpoint_rejects_other_media_types(anonymous: Api) -> None:
    response = anonymous.http.post(
        "/api/auth/token", content=b"username=a", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415


def test_a_hash_with_the_old_argon2_parameters_still_signs_in_and_is_upgraded(
    anonymous: Api, stack: GatewayApp
) -> None:
    """Defect 3: accounts hashed with the earlier 64 MiB parameters keep working; their next
    successful sign-in stores a hash with today's (19 MiB) parameters."""
    import psycopg2
    from argon2 import PasswordHasher

    name = _name()
    legacy = PasswordHasher().hash("longenough")  # the library default the platform used
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users (username, email, password_hash) VALUES (%s, %s, %s)",
            (name, f"{name}@example.com", legacy),
        )
    anonymous.sign_in(name, "longenough")
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT password_hash FROM users WHERE username = %s", (name,))
        upgraded = cursor.fetchone()[0]
    assert upgraded != legacy and upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert stack.api().sign_in(name, "longenough")  # the new hash verifies too
