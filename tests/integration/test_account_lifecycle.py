"""Defect 8: the account lifecycle — export of everything, deletion of everything.

Before the fix none of these endpoints existed (404) and a stolen token worked until it expired.
The token side (logout, password change, deletion refusing tokens) is in
tests/security/test_api2_broken_authentication.py.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import psycopg2

from tests.support.api import Api, assert_problem
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack, wait_until

PASSWORD = "correct-horse-42"
USER_TABLES = {
    "learners": "user_id = %(user)s",
    "jobs": "user_id = %(user)s",
    "revoked_tokens": "user_id = %(user)s",
    "learning_sessions": "learner_id = ANY(%(learners)s)",
    "exercise_responses": "learner_id = ANY(%(learners)s)",
    "content": "learner_id = ANY(%(learners)s)",
    "analytics_results": "learner_id = ANY(%(learners)s)",
    "analytics_schedules": "learner_id = ANY(%(learners)s)",
    "learner_concept_states": "learner_id = ANY(%(learners)s)",
}


def _rows_left(stack: Stack, user_id: int, learner_ids: list[int]) -> dict[str, int]:
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        counts = {}
        for table, where in {"users": "id = %(user)s", **USER_TABLES}.items():
            cursor.execute(
                f"SELECT count(*) FROM {table} WHERE {where}",
                {"user": user_id, "learners": learner_ids},
            )
            counts[table] = cursor.fetchone()[0]
    return counts


def _lost_content_jobs(stack: Stack) -> float:
    text = httpx.get(f"http://127.0.0.1:{stack.content_metrics_port}/metrics", timeout=5).text
    match = re.search(
        r'^ailp_jobs_finished_total\{kind="content",outcome="lost"\} ([0-9.e+]+)$', text, re.M
    )
    return float(match.group(1)) if match else 0.0


def _activity(api: Api, learner: dict[str, Any]) -> dict[str, Any]:
    session = api.http.post(
        f"/api/learners/{learner['id']}/sessions",
        json={
            "session_start": "2026-11-20T09:00:00Z",
            "duration_minutes": 30,
            "exercises_completed": [{"concept": "joins", "correct": False}],
        },
    ).json()
    stored = api.http.post(
        f"/api/learners/{learner['id']}/responses",
        json={"responses": [{"concept": "joins", "correct": True}]},
    )
    assert stored.status_code == 201
    content = api.wait_job(api.submit_content(learner["id"], concept="Export me").json()["id"])
    analytics = api.wait_job(api.submit_analytics(learner["id"]).json()["id"])
    assert content["status"] == analytics["status"] == "succeeded"
    return {"session": session, "content": content, "analytics": analytics}


def test_the_export_holds_everything_stored_about_the_user(api: Api) -> None:
    learner = api.create_learner(learning_goals="Private goal 7c1f")
    other = api.create_learner()
    done = _activity(api, learner)
    response = api.http.get("/api/users/me/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".json" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    document = response.json()
    assert set(document) == {"format_version", "user", "learners", "jobs"}
    assert document["user"]["username"] == api.username
    assert "password_hash" not in response.text
    exported = {item["id"]: item for item in document["learners"]}
    assert set(exported) == {learner["id"], other["id"]}
    mine = exported[learner["id"]]
    assert mine["learning_goals"] == "Private goal 7c1f"
    assert [s["id"] for s in mine["sessions"]] == [done["session"]["id"]]
    assert {(r["concept"], r["correct"]) for r in mine["responses"]} == {
        ("joins", False),
        ("joins", True),
    }
    assert [c["content_id"] for c in mine["content"]] == [done["content"]["result"]["content_id"]]
    assert mine["content"][0]["content"]  # the text itself, not only its id
    assert [a["job_id"] for a in mine["analytics"]] == [done["analytics"]["id"]]
    assert mine["analytics"][0]["result"]["learner_id"] == learner["id"]
    assert exported[other["id"]]["sessions"] == []
    assert {job["id"] for job in document["jobs"]} == {
        done["content"]["id"],
        done["analytics"]["id"],
    }


def test_deleting_the_account_deletes_all_of_its_data(api: Api, stack: Stack) -> None:
    learner = api.create_learner()
    _activity(api, learner)
    user_id = api.http.get("/api/users/me").json()["id"]
    assert api.http.post("/api/auth/logout").status_code == 204  # a revoked token row, too
    api.sign_in()
    before = _rows_left(stack, user_id, [learner["id"]])
    assert all(before[t] for t in ("users", "learners", "jobs", "content", "analytics_results"))
    wrong = api.http.request("DELETE", "/api/users/me", json={"password": "not-it-at-all"})
    assert_problem(wrong, 403)
    assert _rows_left(stack, user_id, [learner["id"]]) == before
    response = api.http.request("DELETE", "/api/users/me", json={"password": PASSWORD})
    assert response.status_code == 204 and response.content == b""
    assert set(_rows_left(stack, user_id, [learner["id"]]).values()) == {0}


def test_deletion_cancels_queued_jobs_and_a_running_one_writes_nothing_back(
    api: Api, stack: Stack, model_server: ModelServerProcess
) -> None:
    # The model answers slowly: one job is running (inside the model call) when the account
    # goes, the others still queued behind it.
    model_server.control.set_default(mode="slow", delay=4)
    learner = api.create_learner()
    user_id = api.http.get("/api/users/me").json()["id"]
    jobs = [api.submit_content(learner["id"], concept=f"Doomed {n}").json()["id"] for n in range(6)]
    wait_until(
        lambda: any(api.http.get(f"/api/jobs/{j}").json()["status"] == "running" for j in jobs),
        timeout=30,
        message="a job running",
    )
    lost_before = _lost_content_jobs(stack)
    response = api.http.request("DELETE", "/api/users/me", json={"password": PASSWORD})
    assert response.status_code == 204
    # The running job's model call returns; its final write finds no job row to finish.
    wait_until(
        lambda: _lost_content_jobs(stack) > lost_before,
        timeout=30,
        message="the running job to end without a row to write to",
    )
    assert set(_rows_left(stack, user_id, [learner["id"]]).values()) == {0}
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM jobs WHERE id = ANY(%s::uuid[])", (jobs,))
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM content WHERE concept LIKE 'Doomed %%'")
        assert cursor.fetchone()[0] == 0
