"""A small client for the tests: sign up, create learners, submit and await jobs."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

TERMINAL = {"succeeded", "failed", "canceled"}


class Api:
    def __init__(self, base_url: str, *, timeout: float = 15) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=timeout)
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
        """Poll a job until it is terminal (honours no sleeps beyond a short poll interval)."""
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            response = self.http.get(f"/api/jobs/{job_id}")
            if response.status_code == 200:
                job = response.json()
                if job["status"] in TERMINAL:
                    return job
            time.sleep(0.1)
        raise TimeoutError(f"job {job_id} not finished after {timeout}s; last seen: {job}")

    def close(self) -> None:
        self.http.close()
