"""The polling API: 202 + Location, poll, list, cancel, idempotency keys and job limits."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg2

from tests.support.api import Api
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack, wait_until


def test_accepting_and_polling(api: Api, learner: dict) -> None:
    response = api.submit_analytics(learner["id"])
    assert response.status_code == 202
    job = response.json()
    assert response.headers["Location"] == f"/api/jobs/{job['id']}"
    assert int(response.headers["Retry-After"]) >= 1
    assert job["status"] == "queued" and job["kind"] == "analytics" and job["attempts"] == 0
    assert job["result"] is None and job["error"] is None
    uuid.UUID(job["id"])
    done = api.wait_job(job["id"])
    assert done["status"] == "succeeded" and done["attempts"] == 1
    assert done["started_at"] and done["finished_at"] >= done["started_at"] >= done["created_at"]
    final = api.http.get(f"/api/jobs/{job['id']}")
    assert "Retry-After" not in final.headers


def test_listing_filters_and_cursor(api: Api) -> None:
    first, second = api.create_learner(), api.create_learner()
    ids = [api.submit_analytics(first["id"]).json()["id"] for _ in range(3)]
    other = api.submit_analytics(second["id"]).json()["id"]
    for job_id in [*ids, other]:
        api.wait_job(job_id)
    page = api.http.get("/api/jobs", params={"learner_id": first["id"], "limit": 2}).json()
    assert [job["id"] for job in page["items"]] == ids[::-1][:2]
    rest = api.http.get(
        "/api/jobs", params={"learner_id": first["id"], "limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [job["id"] for job in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    everything = api.http.get(
        "/api/jobs", params={"kind": "analytics", "status": "succeeded"}
    ).json()
    assert {job["id"] for job in everything["items"]} == {*ids, other}
    assert api.http.get("/api/jobs", params={"status": "exploded"}).status_code == 422
    assert api.http.get("/api/jobs", params={"kind": "content"}).json()["items"] == []


def test_cancel_a_queued_job_but_not_a_running_or_finished_one(
    api: Api, learner: dict, model_server: ModelServerProcess
) -> None:
    concept = model_server.control.hold(seconds=4)
    # The content worker runs 4 jobs at once; the 5th and later wait in the queue.
    jobs = [api.submit_content(learner["id"], concept=f"{concept} {i}").json() for i in range(6)]
    running = wait_until(
        lambda: next(
            (j for j in jobs if api.http.get(f"/api/jobs/{j['id']}").json()["status"] == "running"),
            None,
        ),
        timeout=20,
        message="a running job",
    )
    queued = next(
        j
        for j in reversed(jobs)
        if api.http.get(f"/api/jobs/{j['id']}").json()["status"] == "queued"
    )

    canceled = api.http.delete(f"/api/jobs/{queued['id']}")
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    assert canceled.json()["finished_at"]
    assert api.http.delete(f"/api/jobs/{queued['id']}").status_code == 409
    assert api.http.delete(f"/api/jobs/{running['id']}").status_code == 409

    finished = [api.wait_job(j["id"]) for j in jobs]
    assert {j["status"] for j in finished if j["id"] != queued["id"]} == {"succeeded"}
    assert api.wait_job(queued["id"])["status"] == "canceled"  # never ran
    assert api.http.get(f"/api/jobs/{queued['id']}").json()["attempts"] == 0


def test_unfinished_jobs_per_user_are_limited(
    api: Api, learner: dict, model_server: ModelServerProcess
) -> None:
    concept = model_server.control.hold(seconds=3)
    accepted = []
    for i in range(9):
        response = api.submit_content(learner["id"], concept=f"{concept} {i}")
        if response.status_code != 202:
            break
        accepted.append(response.json()["id"])
    assert len(accepted) == 8
    assert response.status_code == 429 and "unfinished" in response.json()["detail"]
    for job_id in accepted:
        api.http.delete(f"/api/jobs/{job_id}")
    for job_id in accepted:
        assert api.wait_job(job_id)["status"] in {"succeeded", "canceled"}


def test_a_cancel_refused_because_the_job_just_started_reports_running(
    api: Api, learner: dict, stack: Stack
) -> None:
    """R10: the 409 read the status from the statement's snapshot and could say "queued"."""
    user_id = api.http.get("/api/users/me").json()["id"]
    job_id = str(uuid.uuid4())
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(  # queued, but not due for a while: no worker takes it meanwhile
            "INSERT INTO jobs (id, user_id, learner_id, kind, params, published_at) VALUES "
            "(%s, %s, %s, 'analytics', '{\"days\": 30}', now() + interval '1 hour')",
            (job_id, user_id, learner["id"]),
        )
    claimer = psycopg2.connect(stack.database_url)
    try:
        with claimer.cursor() as cursor:  # a worker claiming it, not yet committed
            cursor.execute("UPDATE jobs SET status = 'running' WHERE id = %s", (job_id,))
        with ThreadPoolExecutor(1) as pool:
            cancel = pool.submit(api.http.delete, f"/api/jobs/{job_id}")
            wait_until(lambda: _waiting_for_a_lock(stack), timeout=10, message="cancel waiting")
            claimer.commit()
            response = cancel.result(timeout=10)
    finally:
        claimer.close()
    assert response.status_code == 409
    assert response.json()["status_now"] == "running" and "running" in response.json()["detail"]


def _waiting_for_a_lock(stack: Stack) -> bool:
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])
