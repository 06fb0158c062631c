"""A log line is one JSON object, whatever its values."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from structlog.processors import JSONRenderer

from ailp.logging import render_json

RENDER = JSONRenderer(serializer=render_json)


def _line(**event: object) -> dict[str, object]:
    rendered = RENDER(None, "info", dict(event))
    assert isinstance(rendered, str) and "\n" not in rendered
    parsed = json.loads(rendered)
    assert isinstance(parsed, dict)
    return parsed


def test_ids_and_times_are_written_as_their_plain_values() -> None:
    """Before: the standard library's encoder fell back to repr ("UUID('…')")."""
    job_id = uuid.UUID("6b31d83a-3842-4e3e-ae02-260e4d08580b")
    at = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    line = _line(event="job_started", job_id=job_id, at=at, attempt=1)
    assert line == {
        "event": "job_started",
        "job_id": "6b31d83a-3842-4e3e-ae02-260e4d08580b",
        "at": "2026-12-05T20:00:00+00:00",
        "attempt": 1,
    }


def test_what_orjson_refuses_is_still_written() -> None:
    line = _line(event="odd", huge=2**70, counts={1: "one"}, thing=object())
    assert line["huge"] == 2**70 and line["counts"] == {"1": "one"}
    assert str(line["thing"]).startswith("<object object at")
