"""Settings that only work together are checked when the settings load (R-items: timings that
silently lose or repeat jobs when they disagree)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ailp.config import Settings


@pytest.mark.parametrize(
    ("values", "names"),
    [
        ({"job_lease_seconds": 20, "job_heartbeat_seconds": 15}, "JOB_HEARTBEAT_SECONDS"),
        ({"broker_visibility_timeout": 300}, "BROKER_VISIBILITY_TIMEOUT"),
        (
            {"content_job_deadline_seconds": 60, "openai_timeout_seconds": 30},
            "CONTENT_JOB_DEADLINE_SECONDS",
        ),
        (
            {"sweeper_statement_timeout_ms": 60_000, "job_lease_seconds": 60},
            "SWEEPER_STATEMENT_TIMEOUT_MS",
        ),
    ],
)
def test_timings_that_disagree_are_refused_with_their_names(
    values: dict[str, float], names: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(environment="test", **values)  # type: ignore[arg-type]
    assert names in str(refused.value)


def test_the_defaults_agree() -> None:
    Settings(environment="test")
