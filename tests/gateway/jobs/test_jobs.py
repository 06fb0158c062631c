"""The polling API's rules the gateway decides alone: foreign and unknown jobs, idempotency keys
and the submission rate. Moved from tests/integration/test_jobs.py (which keeps what needs a
worker: polling to the end, cancelling a running job, the unfinished-jobs limit under load)."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.support.api import Api
from tests.support.gateway_app import GatewayApp


def test_unknown_and_foreign_jobs_are_404(api: Api, learner: dict, stack: GatewayApp) -> None:
    job = api.submit_analytics(learner["id"]).json()
    stranger = stack.api().new_user()
    try:
        assert stranger.http.get(f"/api/jobs/{job['id']}").status_code == 404
        assert stranger.http.delete(f"/api/jobs/{job['id']}").status_code == 404
        assert stranger.http.get("/api/jobs").json()["items"] == []
    finally:
        stranger.close()
    assert api.http.get(f"/api/jobs/{uuid.uuid4()}").status_code == 404
    assert api.http.get("/api/jobs/not-a-uuid").status_code == 422


def test_idempotency_key_returns_the_same_job(api: Api, learner: dict, stack: GatewayApp) -> None:
    path = f"/api/learners/{learner['id']}/analytics"
    key = {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    first = api.http.post(path, json={"days": 14}, headers=key)
    again = api.http.post(path, json={"days": 14}, headers=key)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]

    changed = api.http.post(path, json={"days": 15}, headers=key)
    assert changed.status_code == 422 and "Idempotency-Key" in changed.json()["detail"]

    other_user = stack.api().new_user()
    try:
        their_learner = other_user.create_learner()
        theirs = other_user.http.post(
            f"/api/learners/{their_learner['id']}/analytics", json={"days": 14}, headers=key
        )
        assert theirs.status_code == 202 and theirs.json()["id"] != first.json()["id"]
    finally:
        other_user.close()

    jobs = api.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()["items"]
    assert len(jobs) == 1


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"])
def test_invalid_idempotency_keys_are_422(api: Api, learner: dict, key: str) -> None:
    response = api.http.post(
        f"/api/learners/{learner['id']}/analytics", json={}, headers={"Idempotency-Key": key}
    )
    assert response.status_code == 422


def test_submissions_per_minute_are_limited(api: Api, learner: dict) -> None:
    """30 a minute: a burst of 30 passes, then one more every 2 s (GCRA)."""
    started = time.monotonic()
    statuses = []
    while len(statuses) < 60 and 429 not in statuses:
        response = api.submit_analytics(learner["id"])
        statuses.append(response.status_code)
        if response.status_code == 202:
            api.http.delete(f"/api/jobs/{response.json()['id']}")  # keep the unfinished count low
    regained = int((time.monotonic() - started) / 2)  # one submission regained every 2 s
    assert statuses[:30] == [202] * 30
    assert 429 in statuses and statuses.index(429) <= 30 + regained
    limited = api.submit_analytics(learner["id"])
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 2
    assert "a minute" in limited.json()["detail"]
