"""The learner model end to end: mastery, reviews, recommendations, automatic coalesced
recomputation, the admin dashboard and the batch recomputation command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from analytics_worker.mastery import p_mastery
from tests.support.api import Api
from tests.support.database import SCRATCH_REDIS_DB
from tests.support.processes import REPO_ROOT, Stack, throwaway_stack, wait_until

AS_OF = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
# Automatic recomputation on `model_stack`: long enough that a test's burst of posts all lands
# before the sweeper turns the first one's schedule into a job.
RECOMPUTE_DELAY_SECONDS = 5


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def model_stack(model_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack with automatic recomputation (the shared stack turns it off)."""
    with throwaway_stack(
        redis_db=SCRATCH_REDIS_DB,
        workdir=tmp_path_factory.mktemp("model-stack"),
        database_prefix="ailp_model",
        openai_base_url=model_server.base_url,
        extra_env={"ANALYTICS_RECOMPUTE_DELAY_SECONDS": str(RECOMPUTE_DELAY_SECONDS)},
    ) as stack:
        yield stack


@pytest.fixture
def client(model_stack: Stack) -> Iterator[Api]:
    api = Api(model_stack.base_url).new_user()
    yield api
    api.close()


def _answer(api: Api, learner_id: int, answers: list[tuple[str, bool, datetime]]) -> None:
    response = api.http.post(
        f"/api/learners/{learner_id}/responses",
        json={
            "responses": [
                {"concept": c, "correct": ok, "answered_at": _iso(t)} for c, ok, t in answers
            ]
        },
    )
    assert response.status_code == 201, response.text


def _analytics_jobs(api: Api, learner_id: int) -> list[dict]:
    return api.http.get("/api/jobs", params={"learner_id": learner_id, "kind": "analytics"}).json()[
        "items"
    ]


def test_mastery_reviews_and_recommendations(api: Api) -> None:
    # On the shared stack, where no automatic job (as_of = now, so counting the "future" answer
    # too) can replace the explicit job's figures before they are read back.
    learner = api.create_learner(experience_level="beginner")
    day = timedelta(days=1)
    start = AS_OF - 20 * day
    sequence = [True, True, False, True]
    _answer(
        api, learner["id"], [("sql joins", ok, start + i * day) for i, ok in enumerate(sequence)]
    )
    _answer(api, learner["id"], [("recursion", True, start + i * day) for i in range(6)])
    _answer(api, learner["id"], [("pointers", False, AS_OF - day * i) for i in (9, 8, 7, 2)])
    _answer(api, learner["id"], [("future", True, AS_OF + day)])  # after as_of: ignored

    job = api.wait_job(api.submit_analytics(learner["id"], days=30, as_of=_iso(AS_OF)).json()["id"])
    assert job["status"] == "succeeded", job
    result = job["result"]
    mastery = {entry["concept"]: entry for entry in result["mastery"]}
    assert [entry["concept"] for entry in result["mastery"]] == [
        "pointers",
        "recursion",
        "sql joins",
    ]
    joins = mastery["sql joins"]
    assert joins["p_mastery"] == pytest.approx(p_mastery(sequence), abs=1e-12)
    assert joins["attempts"] == 4 and joins["correct"] == 3 and joins["mastered"] is False
    assert joins["last_answered_at"] == _iso(start + 3 * day)
    assert mastery["recursion"]["mastered"] is True
    assert mastery["recursion"]["next_review_at"] > mastery["pointers"]["next_review_at"]

    reasons = [(r["concept"], r["reason"]) for r in result["recommendations"]]
    assert reasons[0] == ("pointers", "knowledge_gap")  # 4 wrong out of 4: high severity
    assert [r["priority"] for r in result["recommendations"]] == list(range(1, len(reasons) + 1))
    assert ("sql joins", "knowledge_gap") not in reasons  # 1 wrong in 4 is a low gap

    state = api.http.get(f"/api/learners/{learner['id']}").json()["knowledge_state"]
    assert state["concepts"]["sql joins"]["p_mastery"] == pytest.approx(joins["p_mastery"])
    assert state["concepts"]["recursion"]["mastered"] is True
    latest = api.http.get(f"/api/learners/{learner['id']}/analytics").json()
    assert (
        latest["mastery"][0]["concept"] == "pointers"
        and latest["recommendations"] == result["recommendations"]
    )


def test_activity_schedules_one_coalesced_recomputation(client: Api) -> None:
    learner = client.create_learner()
    lid = learner["id"]
    now = datetime.now(UTC)
    started = time.monotonic()
    for i in range(5):
        assert (
            client.http.post(
                f"/api/learners/{lid}/sessions",
                json={
                    "session_start": _iso(now - timedelta(hours=2 + i)),
                    "duration_minutes": 30,
                    "exercises_completed": [{"concept": "loops", "correct": i % 2 == 0}],
                },
            ).status_code
            == 201
        )
        _answer(client, lid, [("loops", True, now - timedelta(minutes=10 + i))])
    posting = time.monotonic() - started
    assert posting < RECOMPUTE_DELAY_SECONDS, (
        f"the posts took {posting:.1f} s: no burst to coalesce"
    )

    jobs = wait_until(lambda: _analytics_jobs(client, lid), timeout=30, message="an automatic job")
    done = client.wait_job(jobs[0]["id"])
    assert done["status"] == "succeeded"
    assert len(_analytics_jobs(client, lid)) == 1  # ten posts, one job
    profile = client.http.get(f"/api/learners/{lid}").json()
    assert profile["engagement_metrics"]["sessions"] == 5
    assert profile["knowledge_state"]["concepts"]["loops"]["p_mastery"] > 0.25

    # Activity after that job schedules exactly one more.
    _answer(client, lid, [("loops", False, datetime.now(UTC))])
    wait_until(lambda: len(_analytics_jobs(client, lid)) == 2, timeout=30, message="a second job")


def _make_admin(stack: Stack, username: str) -> None:
    env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url}
    subprocess.run(
        [sys.executable, "-m", "ailp.cli", "make-admin", username],
        check=True,
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
    )


def test_admin_stats_are_for_admins_only(client: Api, model_stack: Stack) -> None:
    assert client.http.get("/api/admin/stats").status_code == 403
    assert Api(model_stack.base_url).http.get("/api/admin/stats").status_code == 401

    learner = client.create_learner()
    client.http.post(
        f"/api/learners/{learner['id']}/sessions",
        json={"session_start": _iso(datetime.now(UTC)), "completion_rate": 0.5},
    )
    assert (
        client.wait_job(client.submit_content(learner["id"], concept="Stats concept").json()["id"])[
            "status"
        ]
        == "succeeded"
    )

    _make_admin(model_stack, client.username)  # type: ignore[arg-type]
    response = client.http.get("/api/admin/stats", params={"days": 30})
    assert response.status_code == 200
    stats = response.json()
    assert stats["users_total"] >= 1 and stats["new_users"] >= 1
    assert (
        stats["active_users_daily"] >= 1
        and stats["active_users_monthly"] >= stats["active_users_daily"]
    )
    assert stats["sessions"] >= 1
    content = stats["content"]
    assert content["generated"] >= 1 and sum(content["by_source"].values()) == content["generated"]
    assert content["ai_success_rate"] + content["fallback_rate"] == pytest.approx(1.0)
    assert content["cost_usd"] > 0 and content["cost_usd_today"] > 0
    assert content["budget_usd_today"] == 2.0
    assert {"concept": "Stats concept", "requests": 1} in stats["top_concepts"]
    assert set(stats["jobs"]) == {"queued", "running", "failed", "avg_wait_seconds"}
    spender = next(s for s in stats["top_spenders"] if s["username"] == client.username)
    assert spender["cost_usd_today"] > 0 and spender["allowance_usd"] == pytest.approx(0.10)
    assert client.http.get("/api/admin/stats", params={"days": 0}).status_code == 422


def _run_batch(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url}
    return subprocess.run(
        [sys.executable, "-m", "ailp.cli", "recompute-analytics", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _batch_counts(stack: Stack) -> Callable[[], tuple[int, int]]:
    def counts() -> tuple[int, int]:
        with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM learners")
            (learners,) = cursor.fetchone()
            cursor.execute(
                "SELECT count(DISTINCT learner_id) FROM jobs WHERE batch_id IS NOT NULL AND status = 'succeeded'"
            )
            (done,) = cursor.fetchone()
        return learners, done

    return counts


def test_batch_recomputation_resumes_and_finishes(client: Api, model_stack: Stack) -> None:
    for _ in range(5):
        client.create_learner()
    # Start a run and stop after submitting one chunk (as if interrupted)…
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from ailp.config import Settings
    from ailp.jobs import batch

    engine = create_engine(
        model_stack.database_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    )
    with Session(engine) as session, session.begin():
        run, resumed = batch.open_run(session, days=30, new=True)
        first = batch.submit_chunk(session, run, chunk=2, settings=Settings())
    engine.dispose()
    assert not resumed and len(first) == 2  # committed but never published: the sweeper will
    # …then the command resumes that run and waits for every job.
    finished = _run_batch(model_stack, "--chunk", "3")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "resuming batch" in finished.stdout and "done:" in finished.stdout
    learners, done = _batch_counts(model_stack)()
    assert done == learners
