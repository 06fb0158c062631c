"""The learner model end to end: mastery, reviews, recommendations, automatic coalesced
recomputation, the admin dashboard, the batch recomputation command, and fitted parameters
(`ailp learner-model fit`, the scheduled fit, GET /api/admin/learner-model, the worker using the
newest version)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from ailp.jobs.batch import BATCH_LOCK_ID
from ailp.learner_model.params import BktParameters
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
        extra_env={
            "ANALYTICS_RECOMPUTE_DELAY_SECONDS": str(RECOMPUTE_DELAY_SECONDS),
            # Fits happen when a test asks for them, and the worker sees them within a second.
            "LEARNER_MODEL_FIT_INTERVAL_HOURS": "0",
            "LEARNER_MODEL_REFRESH_SECONDS": "1",
        },
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


# --- exact mastery and one review a day, through the real worker ------------------------------


def test_mastery_does_not_saturate_and_reviews_are_daily(api: Api) -> None:
    learner = api.create_learner()
    day = timedelta(days=1)
    start = AS_OF - 100 * day
    long_run = [True] * 30 + [False] * 28
    _answer(
        api,
        learner["id"],
        [("long run", ok, start + i * timedelta(hours=1)) for i, ok in enumerate(long_run)],
    )
    # The same first answer each day, once alone and once with four more answers that day.
    firsts = [True, True, False, True, True, True, False, True, True, True]
    _answer(api, learner["id"], [("alone", ok, start + i * 3 * day) for i, ok in enumerate(firsts)])
    busy = [
        ("busy", ok if k == 0 else k % 2 == 0, start + i * 3 * day + k * timedelta(minutes=7))
        for i, ok in enumerate(firsts)
        for k in range(5)
    ]
    _answer(api, learner["id"], busy)

    job = api.wait_job(api.submit_analytics(learner["id"], as_of=_iso(AS_OF)).json()["id"])
    assert job["status"] == "succeeded", job
    mastery = {entry["concept"]: entry for entry in job["result"]["mastery"]}
    # 30 right then 28 wrong: 0.178 by the contract's formula (1.0 when it saturated).
    assert mastery["long run"]["p_mastery"] == pytest.approx(p_mastery(long_run), abs=1e-9)
    assert mastery["long run"]["p_mastery"] == pytest.approx(0.178, abs=5e-4)
    assert mastery["long run"]["mastered"] is False
    assert mastery["long run"]["params"] == "default"
    # Several answers a day are one review, rated by the first: the same schedule.
    assert mastery["busy"]["next_review_at"] == mastery["alone"]["next_review_at"]


# --- fitted parameters ------------------------------------------------------------------------

FITTED_CONCEPT = "fitted joins"
TRUTH = BktParameters(p_init=0.2, p_transit=0.2, guess=0.25, slip=0.1, p_forget=0.05)


def _simulated_answers(learners: int, length: int, seed: int) -> list[list[bool]]:
    import random

    rng = random.Random(seed)
    histories = []
    for _ in range(learners):
        known = rng.random() < TRUTH.p_init
        answers = []
        for _ in range(length):
            answers.append(rng.random() < (1 - TRUTH.slip if known else TRUTH.guess))
            known = rng.random() >= TRUTH.p_forget if known else rng.random() < TRUTH.p_transit
        histories.append(answers)
    return histories


def _seed_fit_data(stack: Stack, user_id: int, histories: list[list[bool]]) -> list[int]:
    """Learners (one per history) with their answers to FITTED_CONCEPT, one a day."""
    start = AS_OF - timedelta(days=60)
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        ids = []
        for index in range(len(histories)):
            cursor.execute(
                "INSERT INTO learners (user_id, target_niche, experience_level, "
                "preferred_learning_style) VALUES (%s, %s, 'beginner', 'visual') RETURNING id",
                (user_id, f"fit-{index}"),
            )
            ids.append(cursor.fetchone()[0])
        cursor.executemany(
            "INSERT INTO exercise_responses (learner_id, concept, correct, answered_at) "
            "VALUES (%s, %s, %s, %s)",
            [
                (learner_id, FITTED_CONCEPT, ok, start + timedelta(days=i))
                for learner_id, answers in zip(ids, histories, strict=True)
                for i, ok in enumerate(answers)
            ],
        )
    return ids


def _cli(stack: Stack, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": stack.database_url,
        "REDIS_URL": stack.redis_url,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "ailp.cli", *args],
        env=environment,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _mastery_of(api: Api, learner_id: int, concept: str) -> dict:
    job = api.wait_job(api.submit_analytics(learner_id, as_of=_iso(AS_OF)).json()["id"])
    assert job["status"] == "succeeded", job
    return next(entry for entry in job["result"]["mastery"] if entry["concept"] == concept)


def _params(concept: dict) -> BktParameters:
    return BktParameters(
        p_init=concept["p_init"],
        p_transit=concept["p_transit"],
        guess=concept["guess"],
        slip=concept["slip"],
        p_forget=concept["p_forget"],
    )


def test_fitted_parameters_are_stored_served_and_used(
    client: Api, model_stack: Stack, tmp_path
) -> None:
    assert client.http.get("/api/admin/learner-model").status_code == 403
    _make_admin(model_stack, client.username)  # type: ignore[arg-type]
    response = client.http.get("/api/admin/learner-model")
    assert response.status_code == 404, response.text
    assert "ailp learner-model fit" in response.json()["detail"]

    user_id = client.create_learner()["user_id"]
    histories = _simulated_answers(learners=60, length=12, seed=3)
    learner_ids = _seed_fit_data(model_stack, user_id, histories)
    learner_id, answers = learner_ids[0], histories[0]
    # Before any fit: the defaults.
    before = _mastery_of(client, learner_id, FITTED_CONCEPT)
    assert before["params"] == "default"
    assert before["p_mastery"] == pytest.approx(p_mastery(answers), abs=1e-9)

    fitted = _cli(model_stack, "learner-model", "fit")
    assert fitted.returncode == 0, fitted.stdout + fitted.stderr
    assert "version" in fitted.stdout and "AUC" in fitted.stdout

    model = client.http.get("/api/admin/learner-model").json()
    assert model["source"] == "platform"
    assert set(model) == {"version", "fitted_at", "source", "concepts", "evaluation"}
    concept = next(c for c in model["concepts"] if c["concept"] == FITTED_CONCEPT)
    assert set(concept) == {
        "concept", "p_init", "p_transit", "p_forget", "guess", "slip", "responses"
    }  # fmt: skip
    assert 200 <= concept["responses"] < 60 * 12  # the held-out learners are not fitted on
    assert concept["guess"] < 0.5 and concept["slip"] < 0.5
    evaluation = model["evaluation"]
    assert evaluation["held_out_answers"] > 0 and evaluation["auc"] is not None
    assert evaluation["baseline_auc"] is not None and evaluation["log_loss"] > 0
    assert len(evaluation["calibration"]) == 10
    assert sum(b["answers"] for b in evaluation["calibration"]) == evaluation["held_out_answers"]

    # The worker picks the new version up (it looks every LEARNER_MODEL_REFRESH_SECONDS) and
    # replays the stored state with it.
    after = wait_until(
        lambda: (m := _mastery_of(client, learner_id, FITTED_CONCEPT))["params"] == "fitted" and m,
        timeout=30,
        interval=0.5,
        message="analytics with the fitted parameters",
    )
    assert after["p_mastery"] == pytest.approx(p_mastery(answers, _params(concept)), abs=1e-9)

    # A cold-start fit from a CSV export becomes the newest version and is used in turn.
    export = tmp_path / "export.csv"
    rows = ["learner,concept,correct,answered_at"]
    for n, history in enumerate(_simulated_answers(learners=40, length=15, seed=4)):
        rows += [
            f"csv-{n},{FITTED_CONCEPT},{int(ok)},{_iso(AS_OF - timedelta(days=30 - i))}"
            for i, ok in enumerate(history)
        ]
    export.write_text("\n".join(rows) + "\n")
    from_csv = _cli(
        model_stack, "learner-model", "fit", "--from-csv", str(export), "--format", "csv"
    )
    assert from_csv.returncode == 0, from_csv.stdout + from_csv.stderr
    newest = client.http.get("/api/admin/learner-model").json()
    assert newest["version"] > model["version"] and newest["source"] == "file export.csv"
    second = _params(next(c for c in newest["concepts"] if c["concept"] == FITTED_CONCEPT))
    wait_until(
        lambda: (
            _mastery_of(client, learner_id, FITTED_CONCEPT)["p_mastery"]
            == pytest.approx(p_mastery(answers, second), abs=1e-9)
        ),
        timeout=30,
        interval=0.5,
        message="analytics with the second version",
    )
    bad = _cli(model_stack, "learner-model", "fit", "--from-csv", str(export), "--format", "dkt")
    assert bad.returncode == 1 and "cannot read" in bad.stderr


_SCHEDULED = (
    "from ailp.config import Settings\n"
    "from ailp.learner_model.service import run_scheduled_fit_if_due\n"
    "print(run_scheduled_fit_if_due(Settings()))\n"
)


def test_the_scheduled_fit_runs_when_due_and_one_at_a_time(client: Api, model_stack: Stack) -> None:
    def scheduled(hours: str) -> str:
        env = {
            **os.environ,
            "DATABASE_URL": model_stack.database_url,
            "LEARNER_MODEL_FIT_INTERVAL_HOURS": hours,
        }
        done = subprocess.run(
            [sys.executable, "-c", _SCHEDULED],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]  # after the log lines

    def versions() -> list[tuple[int, str]]:
        with psycopg2.connect(model_stack.database_url) as connection, connection.cursor() as cur:
            cur.execute("SELECT id, source FROM learner_model_versions ORDER BY id")
            return cur.fetchall()

    _answer(client, client.create_learner()["id"], [("scheduled", True, AS_OF)])
    before = versions()
    if before:  # a fresh version is not due again for a day, nor when the schedule is off
        assert scheduled("24") == "False" and scheduled("0") == "False"
    assert scheduled("0.00001") == "True"  # due 36 ms after the newest version
    after = versions()
    assert len(after) == len(before) + 1 and after[-1][1] == "platform (scheduled)"

    # Another process holding the fit lock: nothing happens, nothing waits.
    holder = psycopg2.connect(model_stack.database_url)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(727012)")
        assert scheduled("0.00001") == "False"
    finally:
        holder.close()
    assert len(versions()) == len(after)


# --- UTC sessions and the one-time replay of old states ----------------------------------------


def test_database_sessions_are_utc_whatever_the_server_zone() -> None:
    import asyncio

    from ailp.config import Settings
    from ailp.db.engine import build_engine
    from gateway.db import create_pool
    from tests.support.database import create_database, drop_database

    url = create_database("ailp_tz")
    try:
        name = url.rsplit("/", 1)[1]
        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Kolkata'")
        settings = Settings(database_url=url)
        engine = build_engine(settings)
        try:
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW timezone").scalar() == "UTC"
        finally:
            engine.dispose()

        async def gateway_zone() -> str:
            pool = await create_pool(settings)
            try:
                return await pool.fetchval("SHOW timezone")
            finally:
                await pool.close()

        assert asyncio.run(gateway_zone()) == "UTC"
    finally:
        drop_database(url)


def test_the_migration_replays_old_states_once() -> None:
    from ailp.db.migrate import downgrade, upgrade
    from tests.support.database import create_database, drop_database

    url = create_database("ailp_replay")
    driver_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    try:
        downgrade(driver_url, "0004")
        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO users (username, email, password_hash) "
                "VALUES ('old', 'old@example.com', 'x') RETURNING id"
            )
            user_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO learners (user_id, target_niche, experience_level, "
                "preferred_learning_style) VALUES (%s, 'n', 'beginner', 'visual') RETURNING id",
                (user_id,),
            )
            learner_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO learner_concept_states (learner_id, concept, attempts, correct, "
                "p_mastery, card, last_answered_at, through_id) "
                "VALUES (%s, 'saturated', 45, 25, 1.0, '{}', now(), 45)",
                (learner_id,),
            )
        upgrade(driver_url)
        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM learner_concept_states")
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT learner_id, due_at <= now() FROM analytics_schedules")
            assert cursor.fetchall() == [(learner_id, True)]
    finally:
        drop_database(url)


def test_results_stored_before_fitted_parameters_still_serve(api: Api, stack: Stack) -> None:
    # A result computed before mastery items said which parameters they used.
    learner = api.create_learner()
    old = {
        "learner_id": learner["id"],
        "as_of": _iso(AS_OF),
        "window_days": 30,
        "velocity": {
            "sessions": 0,
            "sessions_per_week": 0.0,
            "avg_session_duration": 0.0,
            "avg_completion_rate": 0.0,
            "exercises_per_session": 0.0,
            "velocity_score": 0.0,
            "recent_performance": None,
            "historical_performance": None,
            "trend": "insufficient_data",
        },
        "knowledge_gaps": [],
        "mastery": [
            {
                "concept": "joins",
                "p_mastery": 0.66,
                "mastered": False,
                "attempts": 1,
                "correct": 1,
                "last_answered_at": _iso(AS_OF),
                "next_review_at": _iso(AS_OF + timedelta(days=1)),
            }
        ],
        "recommendations": [],
        "computed_at": _iso(AS_OF),
    }
    with psycopg2.connect(stack.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO analytics_results (id, learner_id, as_of, window_days, result) "
            "VALUES (gen_random_uuid(), %s, %s, 30, %s)",
            (learner["id"], AS_OF, json.dumps(old)),
        )
    response = api.http.get(f"/api/learners/{learner['id']}/analytics")
    assert response.status_code == 200, response.text
    assert response.json()["mastery"][0]["params"] == "default"


def test_two_batch_commands_cannot_run_at_once(model_stack: Stack) -> None:
    """Two recompute commands started together each opened a run and submitted every learner."""
    with psycopg2.connect(model_stack.database_url) as holder, holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", (BATCH_LOCK_ID,))  # a command is running
        second = _run_batch(model_stack, "--no-wait")
        cursor.execute("SELECT pg_advisory_unlock(%s)", (BATCH_LOCK_ID,))
    assert second.returncode == 1 and "another recompute-analytics" in second.stderr
