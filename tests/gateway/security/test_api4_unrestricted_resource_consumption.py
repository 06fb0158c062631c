"""OWASP API4:2023 Unrestricted Resource Consumption.

Body size (413), sign-ups per address (429 + Retry-After), password hashing bounded per process
(503 + Retry-After instead of an unbounded queue; a duplicate sign-up is refused before any
hashing), per-user write limits on sessions and answers (429 + Retry-After), the cap on learner
profiles (409, also under concurrency), and bounded list sizes.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.gateway.security.conftest import (
    MAX_LEARNERS_PER_USER,
    REGISTRATIONS_PER_ADDRESS,
    RESPONSE_POSTS_PER_MINUTE,
    SESSION_POSTS_PER_MINUTE,
    new_address,
    signed_up,
    unique_name,
)
from tests.support.api import Api, assert_problem
from tests.support.gateway_app import GatewayApp


def _sign_up(app: GatewayApp, address: str, name: str | None = None) -> httpx.Response:
    name = name or unique_name()
    with app.http() as client:  # a client of its own, as a separate connection
        return client.post(
            "/api/auth/register",
            json={"username": name, "email": f"{name}@example.com", "password": "correct-horse-42"},
            headers={"X-Forwarded-For": address},
        )


def test_bodies_over_one_mebibyte_are_refused_before_parsing(stack: GatewayApp, api: Api) -> None:
    big = {"learning_goals": "x" * (1024 * 1024)}
    assert_problem(api.http.post("/api/learners", json=big), 413)
    response = stack.http().post(
        "/api/auth/register",
        content=b"{" + b" " * (1024 * 1024 + 1) + b"}",
        headers={"content-type": "application/json", "X-Forwarded-For": new_address()},
    )
    assert_problem(response, 413)


def test_sign_ups_are_limited_per_client_address(stack: GatewayApp) -> None:
    address = new_address()
    statuses = [_sign_up(stack, address).status_code for _ in range(REGISTRATIONS_PER_ADDRESS)]
    assert statuses == [201] * REGISTRATIONS_PER_ADDRESS
    refused = _sign_up(stack, address)
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert _sign_up(stack, new_address()).status_code == 201  # others still can


def test_a_flood_of_sign_ups_gets_503_instead_of_queueing_and_duplicates_never_wait(
    stack: GatewayApp,
) -> None:
    taken = signed_up(stack).username
    assert taken

    together = threading.Barrier(50, timeout=30)  # all at once, however fast the machine is

    def fresh(_: int) -> httpx.Response:
        address = new_address()
        together.wait()
        return _sign_up(stack, address)

    def duplicate(_: int) -> httpx.Response:
        address = new_address()
        together.wait()
        return _sign_up(stack, address, name=taken)

    with ThreadPoolExecutor(max_workers=50) as pool:
        floods = [pool.submit(fresh, n) for n in range(40)]
        duplicates = [pool.submit(duplicate, n) for n in range(10)]
        flood = [f.result() for f in floods]
        dupes = [f.result() for f in duplicates]
    statuses = [r.status_code for r in flood]
    assert set(statuses) <= {201, 503}, statuses
    busy = [r for r in flood if r.status_code == 503]
    assert busy, "40 simultaneous sign-ups with one hashing slot per process: some must be 503"
    for response in busy:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["status"] == 503 and response.json()["detail"]
    # A taken name is refused before hashing: never waits for a slot, never 503.
    assert [r.status_code for r in dupes] == [409] * 10


def test_posting_sessions_is_limited_per_user(stack: GatewayApp, api: Api) -> None:
    learner = api.create_learner()
    url = f"/api/learners/{learner['id']}/sessions"
    body = {"session_start": "2026-11-01T09:00:00Z"}
    statuses = [api.http.post(url, json=body).status_code for _ in range(SESSION_POSTS_PER_MINUTE)]
    assert statuses == [201] * SESSION_POSTS_PER_MINUTE
    refused = api.http.post(url, json=body)
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1
    other = signed_up(stack)  # another user is not affected
    assert (
        other.http.post(
            f"/api/learners/{other.create_learner()['id']}/sessions", json=body
        ).status_code
        == 201
    )


def test_posting_answers_is_limited_per_user(api: Api) -> None:
    learner = api.create_learner()
    url = f"/api/learners/{learner['id']}/responses"
    body = {"responses": [{"concept": "joins", "correct": True}]}
    statuses = [api.http.post(url, json=body).status_code for _ in range(RESPONSE_POSTS_PER_MINUTE)]
    assert statuses == [201] * RESPONSE_POSTS_PER_MINUTE
    refused = api.http.post(url, json=body)
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1


def test_learner_profiles_are_capped_per_user(api: Api) -> None:
    for _ in range(MAX_LEARNERS_PER_USER):
        api.create_learner()
    response = api.http.post(
        "/api/learners",
        json={
            "target_niche": unique_name("niche"),
            "experience_level": "beginner",
            "preferred_learning_style": "visual",
        },
    )
    problem = assert_problem(response, 409)
    assert str(MAX_LEARNERS_PER_USER) in problem["detail"] and "Delete" in problem["detail"]
    assert len(api.http.get("/api/learners").json()) == MAX_LEARNERS_PER_USER


def test_the_learner_cap_holds_under_concurrent_creation(stack: GatewayApp) -> None:
    user = signed_up(stack)
    token = user.token

    def create(n: int) -> int:
        return (
            stack.http()
            .post(
                "/api/learners",
                json={
                    "target_niche": f"race_{n}",
                    "experience_level": "beginner",
                    "preferred_learning_style": "visual",
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            .status_code
        )

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(create, range(12)))
    assert statuses.count(201) == MAX_LEARNERS_PER_USER, statuses
    assert len(user.http.get("/api/learners").json()) == MAX_LEARNERS_PER_USER


def test_list_sizes_are_bounded(api: Api) -> None:
    learner = api.create_learner()
    too_many = {"responses": [{"concept": "c", "correct": True}] * 1001}
    assert_problem(api.http.post(f"/api/learners/{learner['id']}/responses", json=too_many), 422)
    assert_problem(api.http.get("/api/jobs", params={"limit": 101}), 422)
    assert_problem(
        api.http.get(f"/api/learners/{learner['id']}/sessions", params={"limit": 101}), 422
    )


def test_an_anonymous_client_cannot_create_anything(anonymous: Api) -> None:
    assert_problem(anonymous.http.post("/api/learners", json={}), 401)
