"""Submitting jobs (docs/api.md, Jobs): the 202 answer, the unfinished-jobs limit and the
Idempotency-Key. No worker runs in this tier, so every job stays queued: a test cancels what it
submitted, leaving its user under MAX_QUEUED_JOBS_PER_USER. What a finished job looks like is
tested with the workers, in tests/integration/test_api_rules.py. Moved from there."""

from __future__ import annotations

import uuid

from tests.support.api import Api, assert_problem


def cancel(api: Api, job_id: str) -> None:
    """Cancel a queued job (nothing runs it here)."""
    canceled = api.http.delete(f"/api/jobs/{job_id}")
    assert canceled.status_code == 200, canceled.text


def test_every_enqueueing_endpoint_answers_202_with_location_and_retry_after(
    jobs_user: Api,
) -> None:
    learner = jobs_user.create_learner()
    requests = [
        ("content", "generate-content", {"concept": "Loops", "content_type": "quiz"}),
        ("analytics", "analytics", {"days": 3}),
    ]
    for kind, endpoint, body in requests:
        path = f"/api/learners/{learner['id']}/{endpoint}"
        key = {"Idempotency-Key": f"{kind}-{uuid.uuid4()}"}
        for attempt in ("first", "idempotent replay"):
            response = jobs_user.http.post(path, json=body, headers=key)
            assert response.status_code == 202, (kind, attempt, response.text)
            job = response.json()
            assert response.headers["Location"] == f"/api/jobs/{job['id']}", (kind, attempt)
            assert int(response.headers["Retry-After"]) >= 1, (kind, attempt)
            assert job["kind"] == kind and job["learner_id"] == learner["id"]
            assert response.headers["content-type"].startswith("application/json")
    listed = jobs_user.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()
    for job in listed["items"]:
        cancel(jobs_user, job["id"])


def test_unfinished_jobs_limit_answers_429_with_retry_after(api: Api, learner: dict) -> None:
    concept = "Unfinished"  # no worker runs here: none of them finishes
    accepted = []
    for index in range(8):
        response = api.submit_content(learner["id"], concept=f"{concept} {index}")
        assert response.status_code == 202, response.text
        accepted.append(response.json()["id"])
    limited = api.submit_analytics(learner["id"])  # the limit spans both kinds
    problem = assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1 and "unfinished" in problem["detail"]
    listed = api.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()["items"]
    assert sorted(job["id"] for job in listed) == sorted(accepted)  # the refused one is not kept
    # Leave nothing queued behind.
    for job_id in accepted:
        canceled = api.http.delete(f"/api/jobs/{job_id}")
        assert canceled.status_code in (200, 409), canceled.text


def test_an_idempotency_key_also_deduplicates_content_generation(jobs_user: Api) -> None:
    learner = jobs_user.create_learner()
    path = f"/api/learners/{learner['id']}/generate-content"
    key = {"Idempotency-Key": f"content-{uuid.uuid4()}"}
    body = {"concept": "Recursion", "content_type": "lesson"}
    first = jobs_user.http.post(path, json=body, headers=key)
    again = jobs_user.http.post(path, json=body, headers=key)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    changed = jobs_user.http.post(path, json={**body, "fresh": True}, headers=key)
    assert assert_problem(changed, 422)["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    jobs = jobs_user.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()["items"]
    assert [job["id"] for job in jobs] == [first.json()["id"]]
    cancel(jobs_user, first.json()["id"])


def test_an_idempotency_key_is_bound_to_its_learner_and_endpoint(jobs_user: Api) -> None:
    first_learner, second_learner = jobs_user.create_learner(), jobs_user.create_learner()
    key = {"Idempotency-Key": f"bound-{uuid.uuid4()}"}
    original = jobs_user.http.post(
        f"/api/learners/{first_learner['id']}/analytics", json={"days": 5}, headers=key
    )
    assert original.status_code == 202
    other_learner = jobs_user.http.post(
        f"/api/learners/{second_learner['id']}/analytics", json={"days": 5}, headers=key
    )
    assert_problem(other_learner, 422)
    other_endpoint = jobs_user.http.post(
        f"/api/learners/{first_learner['id']}/generate-content",
        json={"concept": "x", "content_type": "lesson"},
        headers=key,
    )
    assert_problem(other_endpoint, 422)
    for learner, expected in ((first_learner, [original.json()["id"]]), (second_learner, [])):
        jobs = jobs_user.http.get("/api/jobs", params={"learner_id": learner["id"]}).json()
        assert [job["id"] for job in jobs["items"]] == expected
    cancel(jobs_user, original.json()["id"])


def test_an_idempotency_key_may_be_any_255_printable_ascii_characters(jobs_user: Api) -> None:
    learner = jobs_user.create_learner()
    printable = "".join(chr(c) for c in range(0x21, 0x7F))  # no leading/trailing space in HTTP
    key = (printable * 3)[:254] + "!"
    assert len(key) == 255
    first = jobs_user.http.post(
        f"/api/learners/{learner['id']}/analytics", json={}, headers={"Idempotency-Key": key}
    )
    inner_space = jobs_user.http.post(
        f"/api/learners/{learner['id']}/analytics",
        json={},
        headers={"Idempotency-Key": "with inner spaces"},
    )
    assert first.status_code == inner_space.status_code == 202, (first.text, inner_space.text)
    again = jobs_user.http.post(
        f"/api/learners/{learner['id']}/analytics", json={}, headers={"Idempotency-Key": key}
    )
    assert again.json()["id"] == first.json()["id"]
    for job in (first, inner_space):
        cancel(jobs_user, job.json()["id"])


def test_a_replayed_job_has_exactly_the_fields_of_the_first(api: Api, learner: dict) -> None:
    key = uuid.uuid4().hex
    headers = {"Idempotency-Key": key}
    first = api.http.post(f"/api/learners/{learner['id']}/analytics", json={}, headers=headers)
    again = api.http.post(f"/api/learners/{learner['id']}/analytics", json={}, headers=headers)
    assert first.status_code == again.status_code == 202, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json().keys() == first.json().keys()
    assert "request_hash" not in again.json()
