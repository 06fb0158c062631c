"""The one retry layer: Retry-After parsing, jittered exponential backoff, and how a call ends."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from ailp.config import Settings
from ailp.jobs.runner import Deferred
from content_worker import model_client
from content_worker.domain import FallbackReason, ModelUnavailable
from content_worker.gate import CallContext, estimate_prompt_tokens
from content_worker.model_client import ModelAnswer, backoff_seconds, retry_after_seconds


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


# --- complete(): what ends a call, and what it settles ------------------------------------------


class _Gate:
    """Records admissions and settlements; `defer_from` makes admissions from that attempt on
    ask to wait longer than a worker may hold its thread (as after a shared 429 cool-down)."""

    def __init__(self, defer_from: int | None = None) -> None:
        self.admitted = 0
        self.settled: list[tuple[int, int]] = []
        self.defer_from = defer_from

    def admit(
        self, _call: object, prompt_tokens: int, max_tokens: int, *, hold_seconds: float
    ) -> object:
        self.admitted += 1
        if self.defer_from is not None and self.admitted >= self.defer_from:
            raise Deferred(30, "waiting for the shared model rate limits")
        return object()

    def settle(self, _admission: object, input_tokens: int, output_tokens: int) -> float:
        self.settled.append((input_tokens, output_tokens))
        return 0.0

    def slow_down(self, _seconds: float) -> None:
        pass

    def read_headers(self, _headers: object) -> None:
        pass


@contextmanager
def _serving(status: int, body: bytes, content_type: str) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fresh_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_client, "_client", None)


def _complete(
    base_url: str, gate: _Gate, *, seconds: float = 60, **settings: object
) -> ModelAnswer:
    return model_client.complete(
        Settings(openai_api_key=SecretStr("k"), openai_base_url=base_url, **settings),
        gate,  # type: ignore[arg-type]
        call=CallContext(user_id=1, job_id=None, deadline=time.monotonic() + seconds),
        messages=[{"role": "user", "content": "hi"}],
        response_format={"type": "json_object"},
        max_tokens=100,
        sleep=lambda _seconds: None,
    )


@pytest.mark.usefixtures("fresh_client")
def test_a_200_that_is_not_a_completion_falls_back_and_settles_the_worst_case() -> None:
    gate = _Gate()
    with (
        _serving(200, b"<html>proxy error</html>", "text/html") as url,
        pytest.raises(ModelUnavailable) as caught,
    ):
        _complete(url, gate)
    assert caught.value.reason is FallbackReason.invalid_output
    assert gate.admitted == 1 and len(gate.settled) == 1 and gate.settled[0][1] == 100


@pytest.mark.usefixtures("fresh_client")
def test_an_exhausted_quota_says_so() -> None:
    body = b'{"error": {"message": "quota", "type": "insufficient_quota", "code": "insufficient_quota"}}'
    gate = _Gate()
    with _serving(429, body, "application/json") as url, pytest.raises(ModelUnavailable) as caught:
        _complete(url, gate)
    assert caught.value.reason is FallbackReason.quota_exhausted and gate.admitted == 1


@pytest.mark.usefixtures("fresh_client")
def test_a_request_the_model_refuses_is_not_retried() -> None:
    gate = _Gate()
    with (
        _serving(400, b'{"error": {"message": "bad"}}', "application/json") as url,
        pytest.raises(ModelUnavailable) as caught,
    ):
        _complete(url, gate, openai_max_attempts=3)
    assert caught.value.reason is FallbackReason.model_rejected and gate.admitted == 1


@pytest.mark.usefixtures("fresh_client")
def test_after_its_own_429_a_long_wait_ends_in_the_fallback_not_another_round() -> None:
    gate = _Gate(defer_from=2)
    with (
        _serving(429, b'{"error": {"message": "slow down"}}', "application/json") as url,
        pytest.raises(ModelUnavailable) as caught,
    ):
        _complete(url, gate, openai_max_attempts=3)
    assert caught.value.reason is FallbackReason.rate_limited and gate.admitted == 2


@pytest.mark.usefixtures("fresh_client")
def test_a_first_attempt_may_go_back_to_the_queue_to_wait() -> None:
    with pytest.raises(Deferred):
        _complete("http://127.0.0.1:9/v1", _Gate(defer_from=1))


@contextmanager
def _trickling(interval: float) -> Iterator[str]:
    """A server that answers 200 and then sends its body one byte every `interval` seconds,
    for ever: each byte restarts a read timeout, so only a total deadline ends the call."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "1000000")
            self.end_headers()
            while not stop.wait(interval):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


@pytest.mark.usefixtures("fresh_client")
def test_a_trickling_server_cannot_hold_a_call_past_its_deadline() -> None:
    """R5: a byte every few seconds used to keep a call (and its job) alive for ever."""
    gate = _Gate()
    started = time.monotonic()
    with _trickling(0.2) as url, pytest.raises(ModelUnavailable):
        _complete(url, gate, seconds=6, openai_timeout_seconds=1, openai_max_attempts=10)
    # The deadline, plus at most one read timeout.
    assert time.monotonic() - started < 6 + 1 + 0.5
    assert gate.admitted >= 1 and all(settled == (gate.settled[0]) for settled in gate.settled)


@pytest.mark.usefixtures("fresh_client")
def test_no_attempt_starts_without_time_for_it() -> None:
    gate = _Gate()
    with pytest.raises(ModelUnavailable) as caught:
        _complete("http://127.0.0.1:9/v1", gate, seconds=1)
    assert caught.value.reason is FallbackReason.deadline and gate.admitted == 0


@pytest.mark.usefixtures("fresh_client")
def test_a_reply_without_usage_is_charged_its_worst_case() -> None:
    """Issue 10 (9): a reply without `usage` used to cost nothing against the budget."""
    body = (
        b'{"id": "c1", "object": "chat.completion", "created": 1, "model": "m", "choices": '
        b'[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", '
        b'"content": "{}"}}]}'
    )
    gate = _Gate()
    with _serving(200, body, "application/json") as url:
        answer = _complete(url, gate)
    prompt = estimate_prompt_tokens([{"role": "user", "content": "hi"}])
    assert gate.settled == [(prompt, 100)] and not answer.usage_reported
