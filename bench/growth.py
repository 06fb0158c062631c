"""Growth (`--only growth`): the hot paths on an "empty" database and on a "grown" one holding
100,000 users' data, side by side, each scenario on both back to back in each round, the best of
the rounds counting (docs/benchmarks.md). The grown data is bulk-loaded server-side."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import redis
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from ailp.config import Settings
from ailp.jobs.sweeper import sweep
from bench import kit, load
from bench.learner import Runner
from tests.support.processes import Stack

CHUNK = 1_000_000
BIG_LISTING = 10_000  # jobs of the user whose listing is measured
HOT = ("growth_get_job", "growth_get_learner", "growth_list_jobs", "growth_submit")
RPS_KEPT, P99_FACTOR = 0.8, 1.25  # grown: ≥ 80 % of the empty req/s, p99 ≤ 1.25 × the empty one
ONCE_LIMITS_MS = {"admin_stats": ("admin stats", 200.0), "sweep": ("sweeper tick", 50.0)}
BIG_TABLES = ["jobs", "exercise_responses", "learning_sessions"]
SIZES = {"users": 100_000, "learners": 150_000, "jobs": 10_000_000}
SIZES |= {"responses": 20_000_000, "sessions": 2_000_000}
SEED_SQL = {  # per chunk of %(count)s rows; learner `learner0 + k` is user `user0 + k % users`'s
    "users": """INSERT INTO users (username, email, password_hash, created_at)
        SELECT 'grown_' || g, 'grown_' || g || '@example.com', 'not-a-password-hash',
               now() - random() * interval '365 days' FROM generate_series(1, %(users)s) g ORDER BY g
        RETURNING id""",
    "learners": """INSERT INTO learners (user_id, target_niche, experience_level,
            preferred_learning_style, learning_goals, created_at)
        SELECT %(user0)s + (g - 1) %% %(users)s, CASE WHEN g <= %(users)s THEN 'data' ELSE 'web' END,
               (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g %% 3],
               (ARRAY['visual', 'auditory', 'reading', 'kinesthetic'])[1 + g %% 4], 'Grow.',
               now() - random() * interval '365 days'
        FROM generate_series(1, %(learners)s) g ORDER BY g RETURNING id""",
    # Finished over the last year, 97 % succeeded, 2 % failed, 1 % canceled; ascending ids (the
    # primary key grows at its end: a fast load).
    "jobs": """INSERT INTO jobs (id, user_id, learner_id, kind, status, params, attempts, error_code,
            created_at, published_at, started_at, finished_at)
        SELECT ('a' || lpad(to_hex(%(first)s + g), 31, '0'))::uuid, %(user0)s + k %% %(users)s,
               %(learner0)s + k, CASE WHEN r < 0.7 THEN 'content' ELSE 'analytics' END,
               CASE WHEN r2 < 0.97 THEN 'succeeded' WHEN r2 < 0.99 THEN 'failed' ELSE 'canceled' END,
               '{"concept": "SQL joins", "content_type": "lesson"}', 1,
               CASE WHEN r2 >= 0.97 AND r2 < 0.99 THEN 'model_error' END,
               at, at, at + interval '0.4 seconds', at + interval '3 seconds'
        FROM (SELECT g, floor(random() * %(learners)s)::int AS k, random() AS r, random() AS r2,
                     now() - interval '1 hour' - random() * interval '365 days' AS at
              FROM generate_series(1, %(count)s) g) rows""",
    # Work in progress, as the sweeper normally finds it: 2,000 queued jobs just published and
    # 500 running ones with live leases (nothing for it to do: the tick is the cost of looking).
    "unfinished": """INSERT INTO jobs (id, user_id, learner_id, kind, status, params, attempts,
            created_at, published_at, started_at, heartbeat_at, lease_expires_at)
        SELECT gen_random_uuid(), %(user0)s + g %% %(users)s, %(learner0)s + g %% %(users)s,
               'content', CASE WHEN run THEN 'running' ELSE 'queued' END, '{}', run::int, at,
               now() + interval '1 hour', CASE WHEN run THEN at END, CASE WHEN run THEN now() END,
               CASE WHEN run THEN now() + interval '1 hour' END
        FROM (SELECT g, g <= 500 AS run, now() - random() * interval '10 minutes' AS at
              FROM generate_series(1, 2500) g) rows""",
    "responses": """INSERT INTO exercise_responses (learner_id, concept, correct, answered_at,
            created_at)
        SELECT %(learner0)s + floor(random() * %(learners)s)::int,
               'concept ' || lpad(floor(random() * 300)::int::text, 3, '0'), random() < 0.6, at, at
        FROM (SELECT now() - interval '1 hour' - random() * interval '365 days' AS at
              FROM generate_series(1, %(count)s)) rows""",
    "sessions": """INSERT INTO learning_sessions (learner_id, session_start, session_end,
            duration_minutes, exercises_count, completion_rate, performance_score, created_at)
        SELECT %(learner0)s + floor(random() * %(learners)s)::int, at, at + interval '30 minutes',
               30, 3, random(), random(), at + interval '30 minutes'
        FROM (SELECT now() - interval '2 hours' - random() * interval '365 days' AS at
              FROM generate_series(1, %(count)s)) rows""",
}
LISTING_SQL = """INSERT INTO jobs (id, user_id, learner_id, kind, status, params, attempts,
        created_at, started_at, finished_at)
    SELECT gen_random_uuid(), %s, %s, 'content', 'succeeded',
           '{"concept": "SQL joins", "content_type": "lesson"}', 1, at, at, at
    FROM (SELECT now() - make_interval(mins => g) AS at FROM generate_series(1, %s) g) times"""
# Bulk load: no triggers or FK checks (consistent by construction), memory for the index builds,
# no waiting for WAL flushes; the big tables' indexes that back no constraint dropped meanwhile.
BULK_LOAD_SQL = """SET session_replication_role = replica; SET maintenance_work_mem = '512MB';
    SET synchronous_commit = off; SET max_parallel_maintenance_workers = 2"""
INDEXES_SQL = """SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public'
    AND tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c
    WHERE c.conname = i.indexname) ORDER BY tablename, indexname"""
# The jobs a submission scenario queued (not those read: "published" a day ahead).
FORGET_SQL = """DELETE FROM jobs WHERE status = 'queued' AND user_id = ANY(%s)
    AND (published_at IS NULL OR published_at < now() + interval '1 hour')"""


def run(ctx: kit.Run) -> dict[str, Any]:
    """Growth: the hot paths on an empty and on a grown database."""
    rounds, sides = ctx.args.growth_rounds, {}
    with ExitStack() as stacks:
        for name in ("empty", "grown"):
            stack = stacks.enter_context(ctx.stack(f"growth-{name}"))
            users = kit.create_users(stack.database_url, ctx.jwt_secret, ctx.args.users)
            with kit.cursor_for(stack.database_url) as cursor:
                cursor.execute("UPDATE users SET role = 'admin' WHERE id = %s", (users[0].user_id,))
                cursor.execute(LISTING_SQL, (users[1].user_id, users[1].learner_id, BIG_LISTING))
                cursor.execute("ANALYZE")  # both sides planned from statistics
            sides[name] = (stack, users)
        sizes = {name: max(10, round(n * ctx.args.growth_scale)) for name, n in SIZES.items()}
        sizes["learners"] = max(sizes["users"], sizes["learners"])
        seeded = seed(sides["grown"][0].database_url, sizes, kit.echo)
        plans = {name: _plan(stack, users) for name, (stack, users) in sides.items()}
        phases: dict[str, dict[str, Any]] = {name: {"http": {}} for name in sides}
        for number in range(1, rounds + 1):
            for key in HOT:  # alternating which side goes first: neither always in the other's wake
                for name in list(sides)[:: 1 if number % 2 else -1]:
                    (stack, users), phase, scenario = sides[name], phases[name], plans[name][key]
                    r = load.run_scenario(ctx, scenario, stack).result
                    kit.echo(f"    round {number}, {name}: {scenario.label}: {r.rps:.1f} req/s")
                    best = phase["http"].setdefault(key, dict(label=scenario.label, errors=0))
                    best["rps"] = max(best.get("rps", 0.0), round(r.rps, 1))
                    best["errors"] += r.errors
                    for k, value in (("p50_ms", r.p50_ms), ("p99_ms", r.p99_ms)):
                        best[k] = min(best.get(k, value), value)
                    if key == "growth_submit":  # what it queued is not part of the next picture
                        with kit.cursor_for(stack.database_url) as cursor:  # not the jobs read
                            cursor.execute(FORGET_SQL, ([user.user_id for user in users],))
                        ctx.clear_redis()
        for name, (stack, users) in sides.items():
            phases[name] |= _once(ctx, stack, users)
            kit.echo(f"    {name}: {phases[name]['admin_stats']}, {phases[name]['sweep']}")
    return {"seed": seeded, "rounds": rounds, "phases": phases, "verdicts": verdicts(phases)}


def _plan(stack: Stack, users: list[Any]) -> dict[str, load.Scenario]:
    """The gateway's scenarios and the listing's first page; the jobs read stay "just published"."""
    stack.start("gateway")
    read_jobs = load.create_read_jobs(stack.base_url, users)
    with kit.cursor_for(stack.database_url) as cursor:
        cursor.execute(
            "UPDATE jobs SET published_at = now() + interval '1 day' WHERE id = ANY(%s::uuid[])",
            (list(read_jobs.values()),),
        )
    pid, listing = stack["gateway"].pid, [f"/api/jobs?limit=20\t{users[1].token}"]
    plan = load.gateway_scenarios(stack.base_url, pid, users, read_jobs)
    label = f"gateway: GET /api/jobs (first page of {BIG_LISTING:,})"
    plan["gateway_list_jobs"] = load.Scenario("", label, stack.base_url, pid, listing)
    for key, scenario in plan.items():
        scenario.key, scenario.label = key.replace("gateway", "growth"), scenario.label[9:]
    return {scenario.key: scenario for scenario in plan.values()}


def _once(ctx: kit.Run, stack: Stack, users: list[Any]) -> dict[str, Any]:
    """Admin stats for 30 days; a sweeper pass with the broker, rolled back; a cold then a warm
    analytics job for a learner with 10,000 answers (only this side's analytics worker runs)."""
    engine = create_engine(stack.database_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    api, broker = users[0].api(stack.base_url), redis.Redis.from_url(ctx.redis_url)
    settings = Settings()

    def stats() -> None:
        if (response := api.http.get("/api/admin/stats", params={"days": 30})).status_code != 200:
            raise RuntimeError(f"admin stats: {response.status_code} {response.text}")

    def tick() -> None:
        with Session(engine) as session:
            sweep(session, settings, broker)
            session.rollback()

    out = {"admin_stats": _timed(stats, 30, 3), "sweep": _timed(tick, 20, 2)}
    api.close()
    broker.close()
    engine.dispose()
    stack.start("analytics-worker")
    runner = Runner(stack, users[2], ctx.redis_url)
    learner_id = runner.seed_learner("growth", 100, 10_000, 100, days=365)
    cold, warm = runner.one_job(learner_id), runner.one_job(learner_id)
    stack["analytics-worker"].stop()
    out["analytics"] = dict(cold_worker_ms=cold["worker_ms"], warm_worker_ms=warm["worker_ms"])
    return out


def _timed(call: Callable[[], None], runs: int, warmup: int) -> dict[str, Any]:
    times = []
    for _ in range(runs + warmup):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times[warmup:])
    return dict(p50_ms=round(statistics.median(ordered), 1), max_ms=round(ordered[-1], 1))


def seed(database_url: str, sizes: dict[str, int], log: Callable[[str], None]) -> dict[str, Any]:
    started = time.monotonic()
    with kit.cursor_for(database_url) as cursor:
        cursor.execute(BULK_LOAD_SQL)
        cursor.execute(INDEXES_SQL, (BIG_TABLES,))
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        values: dict[str, Any] = dict(sizes)
        for table in ("users", "learners"):  # learner `learner0 + k` is user `user0 + k % users`'s
            cursor.execute(SEED_SQL[table], values)
            values[f"{table[:-1]}0"] = min(row[0] for row in cursor.fetchall())
        for table, chunk in (("jobs", CHUNK), ("responses", 2 * CHUNK), ("sessions", CHUNK)):
            for first in range(0, sizes[table], chunk):
                count = min(chunk, sizes[table] - first)
                cursor.execute(SEED_SQL[table], {**values, "first": first, "count": count})
                log(f"{table}: {first + count:,} ({time.monotonic() - started:.0f}s)")
        cursor.execute(SEED_SQL["unfinished"], values)
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET session_replication_role = origin; SELECT admin_stats_rebuild()")
        cursor.execute(f"VACUUM (ANALYZE) users, learners, {', '.join(BIG_TABLES)}")
        tables = ("users", "learners", *BIG_TABLES)
        counts = ", ".join(f"(SELECT count(*) FROM {table})" for table in tables)
        cursor.execute(f"SELECT {counts}, pg_database_size(current_database())")
        *rows, size = cursor.fetchone()
    seconds, rows_of = round(time.monotonic() - started, 1), dict(zip(tables, rows, strict=True))
    log(f"seeded in {seconds:.0f}s: {rows_of}")
    return {"seconds": seconds, "rows": rows_of, "database_gb": round(size / 1e9, 2)}


def verdicts(phases: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    empty, grown = phases["empty"], phases["grown"]
    found: list[dict[str, Any]] = []
    for key in HOT:
        before, after = empty["http"][key], grown["http"][key]
        rps_ratio = after["rps"] / before["rps"] if before["rps"] else 0.0
        p99_ratio = after["p99_ms"] / before["p99_ms"] if before["p99_ms"] else float("inf")
        passed = rps_ratio >= RPS_KEPT and p99_ratio <= P99_FACTOR and not after["errors"]
        check = f"{before['label']}: grown vs empty"
        ratios = dict(rps_ratio=round(rps_ratio, 3), p99_ratio=round(p99_ratio, 3))
        found.append(dict(check=check, **ratios, errors=after["errors"], **{"pass": passed}))
    for key, (label, limit) in ONCE_LIMITS_MS.items():
        value, check = grown[key]["p50_ms"], f"{label} p50 < {limit:.0f} ms (grown)"
        found.append({"check": check, "value_ms": value, "pass": value < limit})
    return found


def render(result: dict[str, Any]) -> str:
    empty, grown = result["phases"]["empty"], result["phases"]["grown"]
    lines = [
        "growth: empty database vs 100,000 users, 150,000 learners, 10 M jobs, 20 M answers, "
        "2 M sessions",
        f"{'scenario':<44} {'empty':>22} {'grown':>22} {'ratio':>14}",
    ]
    for a, b in ((empty["http"][key], grown["http"][key]) for key in HOT):
        sides = " ".join(f"{x['rps']:>9,.0f} r/s {x['p99_ms']:>6.1f} ms" for x in (a, b))
        ratios = f"{b['rps'] / a['rps']:>6.2f} {b['p99_ms'] / a['p99_ms']:>6.2f}"
        lines.append(f"{a['label']:<44} {sides} {ratios}")
    for key, label in (("admin_stats", "GET /api/admin/stats"), ("sweep", "sweeper tick")):
        sides = (f"{x[key]['p50_ms']:>9.1f} / {x[key]['max_ms']:>6.1f} ms" for x in (empty, grown))
        lines.append(f"{label + ' (p50 / max)':<44} {' '.join(sides)}")
    a, b = empty["analytics"], grown["analytics"]
    sides = " ".join(f"{x['cold_worker_ms']:>9} / {x['warm_worker_ms']:>6} ms" for x in (a, b))
    lines.append(f"{'analytics job, 10,000 answers (cold / warm)':<44} {sides}")
    lines += [f"  {'ok ' if v['pass'] else 'MISS'} {v['check']}" for v in result["verdicts"]]
    return "\n".join(lines)
