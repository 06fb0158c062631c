"""The one retry layer: Retry-After parsing and jittered exponential backoff."""

from __future__ import annotations

import email.utils
import time

import pytest

from ailp.config import Settings
from content_worker.model_client import backoff_seconds, retry_after_seconds


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the precise header wins
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "junk", "retry-after": "2"}, 2.0),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str] | None, expected: float | None) -> None:
    assert retry_after_seconds(headers) == expected


def test_retry_after_as_http_date() -> None:
    in_ten = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8 <= (retry_after_seconds({"retry-after": in_ten}) or 0) <= 10


def test_backoff_is_jittered_and_capped() -> None:
    settings = Settings(openai_backoff_base_seconds=0.5, openai_backoff_max_seconds=4)
    for attempt in range(1, 10):
        ceiling = min(4, 0.5 * 2 ** (attempt - 1))
        samples = [backoff_seconds(attempt, settings) for _ in range(50)]
        assert all(0 <= sample <= ceiling for sample in samples)
    assert len({backoff_seconds(3, settings) for _ in range(20)}) > 1
