"""The learner-model fit (`learner-model-fit`) on real answers: data/assistments2009 (408k answers
of 3,361 students over 123 skills).

Two runs of `ailp learner-model fit`, each against the part's own migrated database:
* from the file (`--from-csv … --format dkt`): the command's wall clock, the fit's own duration
  (reading, EM, evaluation) and its held-out figures against the defaults;
* from the platform: the same answers loaded into `exercise_responses` (one learner each), then
  the command without a file — what the scheduled fit does (reading them back from PostgreSQL).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ailp.learner_model.answers import read_dkt
from bench.seed import cursor_for
from tests.support.database import create_database, drop_database
from tests.support.processes import REPO_ROOT

DATA = REPO_ROOT / "data" / "assistments2009" / "builder_train.csv"


def run(*, workdir: Path, cleanup: ExitStack, log: Any) -> dict[str, Any]:
    database_url = create_database("ailp_bench_fit")
    cleanup.callback(drop_database, database_url)
    workdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    wall = _command(
        database_url, workdir / "fit-file.log", "--from-csv", str(DATA), "--format", "dkt"
    )
    out["file"] = {"command_s": round(wall, 2), **_newest_version(database_url)}
    log(f"from the file: {_brief(out['file'])}")

    started = time.monotonic()
    answers = _load_answers(database_url)
    out["load_s"] = round(time.monotonic() - started, 2)
    wall = _command(database_url, workdir / "fit-platform.log")
    out["platform"] = {
        "command_s": round(wall, 2),
        "answers": answers,
        **_newest_version(database_url),
    }
    log(
        f"from the platform ({answers:,} answers loaded in {out['load_s']} s): {_brief(out['platform'])}"
    )
    return out


def _brief(run: dict[str, Any]) -> str:
    return (
        f"command {run['command_s']} s (fit {run['fit_s']} s), {run['concepts']} concepts fitted, "
        f"held-out AUC {run['auc']:.4f} (defaults {run['baseline_auc']:.4f}), log loss "
        f"{run['log_loss']:.4f} (defaults {run['baseline_log_loss']:.4f})"
    )


def _command(database_url: str, log_path: Path, *args: str) -> float:
    started = time.monotonic()
    with log_path.open("wb") as output:
        done = subprocess.run(
            [sys.executable, "-m", "ailp.cli", "learner-model", "fit", *args],
            cwd=REPO_ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    if done.returncode != 0:
        raise RuntimeError(f"ailp learner-model fit failed; see {log_path}")
    return time.monotonic() - started


def _newest_version(database_url: str) -> dict[str, Any]:
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            SELECT v.id, v.duration_seconds, v.answers, v.evaluation,
                   (SELECT count(*) FROM learner_model_concept_params p WHERE p.version_id = v.id)
            FROM learner_model_versions v ORDER BY v.id DESC LIMIT 1
            """
        )
        version, seconds, answers, evaluation, concepts = cursor.fetchone()
    return {
        "version": version,
        "fit_s": round(seconds, 2),
        "answers_read": answers,
        "concepts": concepts,
        "auc": evaluation["auc"],
        "baseline_auc": evaluation["baseline_auc"],
        "log_loss": evaluation["log_loss"],
        "baseline_log_loss": evaluation["baseline_log_loss"],
        "held_out_answers": evaluation["held_out_answers"],
    }


def _load_answers(database_url: str) -> int:
    """The file's answers as platform responses: one user, one learner per student, one answer a
    minute in the file's order (COPY)."""
    log = read_dkt(DATA)
    start = datetime(2009, 9, 1, tzinfo=UTC)
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "INSERT INTO users (username, email, password_hash) "
            "VALUES ('bench_fit', 'bench_fit@example.com', 'x') RETURNING id"
        )
        user_id = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO learners (user_id, target_niche, experience_level, preferred_learning_style)
            SELECT %s, 'student-' || g, 'beginner', 'reading' FROM generate_series(1, %s) g
            RETURNING id
            """,
            (user_id, len(log.learner_keys)),
        )
        learner_ids = [row[0] for row in cursor.fetchall()]
        buffer = io.StringIO()
        for index, (learner, concept, correct) in enumerate(
            zip(log.learner.tolist(), log.concept.tolist(), log.correct.tolist(), strict=True)
        ):
            moment = start + timedelta(minutes=index)
            buffer.write(
                f"{learner_ids[learner]}\t{log.concepts[concept]}\t{'t' if correct else 'f'}\t"
                f"{moment.isoformat()}\n"
            )
        buffer.seek(0)
        cursor.copy_expert(
            "COPY exercise_responses (learner_id, concept, correct, answered_at) FROM STDIN",
            buffer,
        )
        cursor.execute("ANALYZE exercise_responses")
    return log.answers
