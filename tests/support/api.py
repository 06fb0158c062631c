"""A small client for the tests: sign up, create learners, submit and await jobs."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

TERMINAL = {"succeeded", "failed", "canceled"}


class Api:
    """One client (one user once signed in) of a gateway: over the network (`base_url` of a
    process stack) or over a ready `client` (e.g. one bound to an app served in-process)."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        client: httpx.Client | None = None,
        timeout: float = 15,
    ) -> None:
        if client is None:
            if base_url is None:
                raise TypeError("Api needs a base_url or a client")
            client = httpx.Client(base_url=base_url, timeout=timeout)
        self.http = client
        self.token: str | None = None
        self.username: str | None = None

    # --- auth -------------------------------------------------------------------------------
    def register(
        self, username: str | None = None, password: str = "correct-horse-42"
    ) -> dict[str, Any]:
        username = username or f"user_{uuid.uuid4().hex[:12]}"
        response = self.http.post(
            "/api/auth/register",
            json={"username": username, "email": f"{username}@example.com", "password": password},
        )
        assert response.status_code == 201, response.text
        self.username = username
        return response.json()

    def sign_in(self, username: str | None = None, password: str = "correct-horse-42") -> str:
        response = self.http.post(
            "/api/auth/token", data={"username": username or self.username, "password": password}
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        return self.token

    def new_user(self) -> Api:
        self.register()
        self.sign_in()
        return self

    # --- resources ----------------------------------------------------------------------------
    def create_learner(self, **overrides: Any) -> dict[str, Any]:
        body = {
            "target_niche": f"niche_{uuid.uuid4().hex[:8]}",
            "experience_level": "beginner",
            "preferred_learning_style": "visual",
            "learning_goals": "Get a junior data analyst job.",
            **overrides,
        }
        response = self.http.post("/api/learners", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def submit_content(
        self,
        learner_id: int,
        concept: str = "SQL joins",
        content_type: str = "lesson",
        **extra: Any,
    ) -> httpx.Response:
        return self.http.post(
            f"/api/learners/{learner_id}/generate-content",
            json={"concept": concept, "content_type": content_type, **extra},
        )

    def submit_analytics(self, learner_id: int, **body: Any) -> httpx.Response:
        return self.http.post(f"/api/learners/{learner_id}/analytics", json=body)

    def wait_job(self, job_id: str, *, timeout: float = 60) -> dict[str, Any]:
        """Poll a job until it is terminal (honours no sleeps beyond a short poll interval).

        A 4xx answer (no such job, not signed in) fails at once: waiting cannot change it. A 5xx
        (e.g. the database briefly away in a fault test) is polled through.
        """
        deadline = time.monotonic() + timeout
        last_seen: object = None
        while time.monotonic() < deadline:
            response = self.http.get(f"/api/jobs/{job_id}")
            if 400 <= response.status_code < 500:
                raise AssertionError(
                    f"job {job_id}: GET answered {response.status_code} {response.text[:300]}"
                )
            if response.status_code == 200:
                last_seen = job = response.json()
                if job["status"] in TERMINAL:
                    return job
            else:
                last_seen = f"{response.status_code} {response.text[:300]}"
            time.sleep(0.1)
        raise TimeoutError(f"job {job_id} not finished after {timeout}s; last seen: {last_seen}")

    def close(self) -> None:
        self.http.close()


PROBLEM_JSON = "application/problem+json"


def assert_problem(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    """A 4xx RFC 9457 problem (of `status`, if given) whose `status` matches the HTTP status,
    with a non-empty `title` and `detail`, validation `errors` items carrying `loc` and `msg`, and
    the request id header."""
    request = response.request
    where = f"{request.method} {request.url} -> {response.status_code} {response.text[:400]}"
    if status is not None:
        assert response.status_code == status, where
    assert 400 <= response.status_code < 500, where
    assert response.headers.get("content-type", "").startswith(PROBLEM_JSON), where
    problem = response.json()
    assert isinstance(problem, dict), where
    assert problem.get("status") == response.status_code, where
    assert isinstance(problem.get("title"), str) and problem["title"].strip(), where
    assert isinstance(problem.get("detail"), str) and problem["detail"].strip(), where
    if problem.get("errors") is not None:
        assert isinstance(problem["errors"], list) and problem["errors"], where
        for error in problem["errors"]:
            assert isinstance(error.get("loc"), list) and error["loc"], where
            assert isinstance(error.get("msg"), str) and error["msg"], where
    assert response.headers.get("X-Request-ID"), where
    return problem


def assert_utc(value: str, where: str = "") -> datetime:
    """An ISO 8601 timestamp with an explicit UTC designator (`Z` or `+00:00`)."""
    assert isinstance(value, str) and value.endswith(("Z", "+00:00")), (where, value)
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == timedelta(0), (where, value)
    return moment
