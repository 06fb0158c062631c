"""The restore drill: seed rows, `make backup`, drop the database, `make restore`, and compare
every table's row count and checksum; plus the refusals (a non-empty target) and the encrypted
and uploaded variants. Real pg_dump/pg_restore through the scripts behind the Makefile."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from ailp.config import Settings
from tests.support.database import create_database, drop_database, with_database

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "deploy" / "scripts"

SEED = """
INSERT INTO users (username, email, password_hash)
SELECT 'user' || i, 'user' || i || '@example.com', 'x' FROM generate_series(1, 40) i;
INSERT INTO learners (user_id, target_niche, experience_level, preferred_learning_style,
                      learning_goals)
SELECT id, 'data', 'beginner', 'visual', 'goal ' || id FROM users;
INSERT INTO jobs (id, user_id, learner_id, kind, status, params, created_at)
SELECT gen_random_uuid(), l.user_id, l.id, 'content', 'succeeded',
       jsonb_build_object('concept', 'SQL ' || l.id), now() - make_interval(mins => l.id::int)
FROM learners l;
INSERT INTO content (id, learner_id, owner_user_id, job_id, concept, concept_key, content_type,
                     experience_level, title, body, source, prompt_version, cache_key, cost_usd)
SELECT gen_random_uuid(), j.learner_id, j.user_id, j.id, 'SQL joins', 'sql joins', 'lesson',
       'beginner', 'Joins', 'body é ✓ ' || j.id, 'fallback', 'v2', md5(j.id::text), 0.001
FROM jobs j;
INSERT INTO learning_sessions (learner_id, session_start, session_end, duration_minutes,
                               completion_rate, performance_score, exercises_count)
SELECT l.id, now() - interval '2 hours', now() - interval '1 hour', 60, 0.5, 0.75, 3
FROM learners l, generate_series(1, 5);
INSERT INTO exercise_responses (learner_id, concept, correct, answered_at)
SELECT l.id, 'concept ' || (i % 7), i % 3 = 0, now() - make_interval(mins => i)
FROM learners l, generate_series(1, 25) i;
"""


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table in the public schema."""
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            tables = [row[0] for row in cursor.fetchall()]
            result = {}
            for table in tables:
                cursor.execute(
                    f"SELECT count(*), coalesce(md5(string_agg(t::text, chr(30) ORDER BY t::text)), "
                    f"'') FROM \"{table}\" t"
                )
                count, checksum = cursor.fetchone()  # type: ignore[misc]
                result[table] = (count, checksum)
        return result
    finally:
        connection.close()


def run_script(name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    names = {field.upper() for field in Settings.model_fields}
    clean = {key: value for key, value in os.environ.items() if key.upper() not in names}
    return subprocess.run(
        [str(SCRIPTS / name), *args],
        cwd=ROOT,
        env={**clean, "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def seeded() -> Iterator[str]:
    url = create_database("ailp_drill")
    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(SEED)
    finally:
        connection.close()
    yield url
    drop_database(url)


def backup(url: str, backup_dir: Path, **env: str) -> Path:
    result = run_script("backup.sh", DATABASE_URL=url, BACKUP_DIR=str(backup_dir), **env)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.parent == backup_dir and path.is_file()
    return path


def test_restore_drill_brings_back_every_row(seeded: str, tmp_path: Path) -> None:
    before = fingerprint(seeded)
    assert before["users"][0] == 40 and before["exercise_responses"][0] == 1000
    assert before["alembic_version"][0] == 1

    dump = backup(seeded, tmp_path)
    assert dump.name.endswith(".dump") and dump.read_bytes()[:5] == b"PGDMP"
    drop_database(seeded)

    restored = run_script("restore.sh", str(dump), DATABASE_URL=seeded)
    assert restored.returncode == 0, restored.stderr
    assert "the schema matches this release" in restored.stderr
    assert fingerprint(seeded) == before


def test_restore_refuses_a_database_that_is_not_empty(seeded: str, tmp_path: Path) -> None:
    dump = backup(seeded, tmp_path)
    before = fingerprint(seeded)
    refused = run_script("restore.sh", str(dump), DATABASE_URL=seeded)
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr
    assert fingerprint(seeded) == before


def test_restore_says_when_the_backup_needs_migrating(seeded: str, tmp_path: Path) -> None:
    connection = psycopg2.connect(seeded)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("UPDATE alembic_version SET version_num = '0003'")
    finally:
        connection.close()
    dump = backup(seeded, tmp_path)
    target = with_database(seeded, seeded.rsplit("/", 1)[1] + "_older")
    try:
        restored = run_script("restore.sh", str(dump), DATABASE_URL=target)
        assert restored.returncode == 0, restored.stderr
        assert "run 'make migrate'" in restored.stderr
    finally:
        drop_database(target)


@pytest.mark.skipif(
    shutil.which("age") is None or shutil.which("age-keygen") is None,
    reason="age not installed (Debian package `age`; deploy/scripts/test.sh installs it)",
)
def test_encrypted_backup_is_uploaded_and_restores(seeded: str, tmp_path: Path) -> None:
    key = tmp_path / "age-key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = next(
        line.split(": ", 1)[1]
        for line in key.read_text().splitlines()
        if line.startswith("# public key: ")
    )
    uploaded = tmp_path / "uploaded"
    uploaded.mkdir()
    before = fingerprint(seeded)
    dump = backup(
        seeded,
        tmp_path / "backups",
        BACKUP_AGE_RECIPIENT=recipient,
        BACKUP_UPLOAD_COMMAND=f'cp "$1" {uploaded}/',
    )
    assert dump.name.endswith(".dump.age")
    assert b"PGDMP" not in dump.read_bytes()  # no plaintext dump
    assert (uploaded / dump.name).read_bytes() == dump.read_bytes()
    drop_database(seeded)

    without_key = run_script("restore.sh", str(dump), DATABASE_URL=seeded)
    assert without_key.returncode != 0 and "IDENTITY" in without_key.stderr
    restored = run_script("restore.sh", str(dump), DATABASE_URL=seeded, IDENTITY=str(key))
    assert restored.returncode == 0, restored.stderr
    assert fingerprint(seeded) == before
