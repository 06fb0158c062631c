"""The learner-model fit (`learner-model-fit`) on real answers: data/assistments2009 (408k
answers of 3,361 students over 123 skills), each run on the part's own migrated database:
`ailp learner-model fit --from-csv … --format dkt` (the file), then the same answers loaded as
platform responses (one learner each) and the command without a file, as the scheduled fit runs.
"""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ailp.learner_model.answers import read_dkt
from bench.kit import Run, ailp
from bench.seed import create_users, cursor_for, insert_learners
from tests.support.database import create_database, drop_database
from tests.support.processes import REPO_ROOT

DATA = REPO_ROOT / "data" / "assistments2009" / "builder_train.csv"


def run(ctx: Run) -> dict[str, Any]:
    database_url = create_database("ailp_bench_fit")
    try:
        out: dict[str, Any] = {
            "file": _fit(ctx, database_url, "--from-csv", str(DATA), "--format", "dkt")
        }
        ctx.log(f"from the file: {_brief(out['file'])}")
        started = time.monotonic()
        answers = _load_answers(database_url, ctx.jwt_secret)
        out["load_s"] = round(time.monotonic() - started, 2)
        out["platform"] = {**_fit(ctx, database_url), "answers": answers}
        ctx.log(f"from the platform ({answers:,} answers loaded): {_brief(out['platform'])}")
        return out
    finally:
        drop_database(database_url)


def _brief(run: dict[str, Any]) -> str:
    return (
        f"command {run['command_s']} s (fit {run['fit_s']} s), {run['concepts']} concepts fitted, "
        f"held-out AUC {run['auc']:.4f} (defaults {run['baseline_auc']:.4f}), log loss "
        f"{run['log_loss']:.4f} (defaults {run['baseline_log_loss']:.4f})"
    )


def _fit(ctx: Run, database_url: str, *args: str) -> dict[str, Any]:
    """`ailp learner-model fit ARGS`: its wall clock and the version it stored."""
    log_path = ctx.workdir / "fit" / f"fit-{'file' if args else 'platform'}.log"
    env = {**os.environ, "DATABASE_URL": database_url}
    command = ailp(["learner-model", "fit", *args], env, log_path, timeout_s=600)
    if command.returncode != 0:
        raise RuntimeError(f"ailp learner-model fit failed; see {log_path}")
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            SELECT v.id, v.duration_seconds, v.answers, v.evaluation,
                   (SELECT count(*) FROM learner_model_concept_params p WHERE p.version_id = v.id)
            FROM learner_model_versions v ORDER BY v.id DESC LIMIT 1
            """
        )
        version, seconds, answers, evaluation, concepts = cursor.fetchone()
    keys = ("auc", "baseline_auc", "log_loss", "baseline_log_loss", "held_out_answers")
    return {
        "command_s": round(command.wall_s, 2),
        "version": version,
        "fit_s": round(seconds, 2),
        "answers_read": answers,
        "concepts": concepts,
        **{key: evaluation[key] for key in keys},
    }


def _load_answers(database_url: str, jwt_secret: str) -> int:
    """The file's answers as platform responses: one learner per student, one answer a minute
    in the file's order (COPY)."""
    log = read_dkt(DATA)
    start = datetime(2009, 9, 1, tzinfo=UTC)
    owner = create_users(database_url, jwt_secret, 1)[0].user_id
    with cursor_for(database_url) as cursor:
        learners = insert_learners(cursor, [owner], "student-", len(log.learner_keys))
        learner_ids = [learner for _, learner in learners]
        buffer = io.StringIO()
        for index, (learner, concept, correct) in enumerate(
            zip(log.learner.tolist(), log.concept.tolist(), log.correct.tolist(), strict=True)
        ):
            moment = (start + timedelta(minutes=index)).isoformat()
            buffer.write(
                f"{learner_ids[learner]}\t{log.concepts[concept]}\t{'tf'[not correct]}\t{moment}\n"
            )
        buffer.seek(0)
        cursor.copy_expert(
            "COPY exercise_responses (learner_id, concept, correct, answered_at) FROM STDIN", buffer
        )
        cursor.execute("ANALYZE exercise_responses")
    return int(log.answers)
