"""The model call: the official `openai` client with exactly one retry layer (this one).

The client is built once per process, lazily (so never before a fork), with `max_retries=0`;
every attempt passes the shared budget and rate limits (`content_worker.gate`). Transient errors
(429, 5xx, timeouts, connection errors) are retried here with exponential backoff and full
jitter, honouring `retry-after-ms` / `Retry-After` when the server sends them. Errors that
retrying cannot fix (400, 401, 403, 404, exhausted quota) stop at once.

Every call ends by its deadline whatever the server does. A read timeout alone does not do it:
it restarts with every byte, so a server that trickles one byte every few seconds would hold the
call for ever. The body is therefore read as a stream and the attempt's own deadline is checked
between chunks; each read waits at most `OPENAI_TIMEOUT_SECONDS`, so an attempt ends at most one
read timeout after its deadline (`CONTENT_DEADLINE_SLACK` leaves room for that).
"""

from __future__ import annotations

import email.utils
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from ailp import metrics
from ailp.config import Settings
from ailp.jobs.runner import Deferred
from ailp.logging import get_logger
from content_worker.budget import BudgetWait
from content_worker.domain import FallbackReason, ModelUnavailable
from content_worker.gate import CallContext, ModelGate, estimate_prompt_tokens
from content_worker.limits import parse_reset

log = get_logger(__name__)


@dataclass(slots=True)
class ModelAnswer:
    content: str | None
    refusal: str | None
    finish_reason: str | None
    model: str
    input_tokens: int
    output_tokens: int
    headers: Mapping[str, str]
    cost_usd: float = 0.0
    # False when the reply carried no `usage`: it is then charged at its worst case.
    usage_reported: bool = True


# An attempt is not started with less time than this left, nor allowed more than this many
# read timeouts in total.
MIN_ATTEMPT_SECONDS = 3.0
ATTEMPT_READ_TIMEOUTS = 2
# A reservation outlives its call's deadline by this much before it counts as abandoned.
RESERVATION_MARGIN_SECONDS = 15.0


class _TooSlow(Exception):
    """The attempt's deadline passed while the answer was still arriving."""


_client: openai.OpenAI | None = None
_client_pid: int | None = None
_client_lock = threading.Lock()


def get_client(settings: Settings) -> openai.OpenAI:
    """One client per process (its connection pool is shared by the worker's threads)."""
    global _client, _client_pid
    with _client_lock:
        if _client is None or _client_pid != os.getpid():
            assert settings.openai_api_key is not None
            _client = openai.OpenAI(
                api_key=settings.openai_api_key.get_secret_value(),
                base_url=settings.openai_base_url or None,
                max_retries=0,
                timeout=settings.openai_timeout_seconds,  # each call narrows it to its deadline
            )
            _client_pid = os.getpid()
        return _client


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The server's requested wait, from `retry-after-ms` or `Retry-After` (seconds or a date)."""
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def backoff_seconds(attempt: int, settings: Settings) -> float:
    """Full jitter: uniform in [0, min(cap, base · 2^(attempt-1))]."""
    ceiling = min(
        settings.openai_backoff_max_seconds,
        settings.openai_backoff_base_seconds * 2 ** (attempt - 1),
    )
    return random.uniform(0, ceiling)


def complete(
    settings: Settings,
    gate: ModelGate,
    *,
    call: CallContext,
    messages: list[dict[str, str]],
    response_format: dict[str, Any],
    max_tokens: int,
    may_defer: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> ModelAnswer:
    """Call the model, retrying transient failures; raise ModelUnavailable when it cannot answer
    (also when `call.deadline` leaves no time for another attempt).

    Every attempt is admitted by the gate (budget and shared limits) and settled afterwards.
    A 429 makes every replica pause (the gate's shared cool-down) rather than only this call.
    Only a first attempt may give the job back to the queue to wait for the limits (`Deferred`,
    and only when `may_defer` and the deadline leaves time to come back): after a 429 of its own,
    or for a follow-up call whose first part is already paid for, a long wait ends in the
    fallback instead, so a model that keeps answering 429 cannot keep a job going round the queue.
    """
    if settings.openai_api_key is None:
        raise ModelUnavailable(FallbackReason.no_api_key, "OPENAI_API_KEY is not set")
    client = get_client(settings)
    prompt_tokens = estimate_prompt_tokens(messages)
    last_reason, last_detail = FallbackReason.model_error, "no attempt made"
    for attempt in range(1, settings.openai_max_attempts + 1):
        remaining = call.remaining()
        if remaining < MIN_ATTEMPT_SECONDS:
            raise ModelUnavailable(
                FallbackReason.deadline if attempt == 1 else last_reason,
                f"{last_detail}; no time left for attempt {attempt}",
            )
        read_timeout = min(settings.openai_timeout_seconds, remaining)
        attempt_seconds = min(remaining, ATTEMPT_READ_TIMEOUTS * settings.openai_timeout_seconds)
        try:
            admission = gate.admit(
                call,
                prompt_tokens,
                max_tokens,
                hold_seconds=attempt_seconds + read_timeout + RESERVATION_MARGIN_SECONDS,
            )
        except Deferred as exc:
            if may_defer and attempt == 1 and call.remaining() > exc.delay + MIN_ATTEMPT_SECONDS:
                raise
            waiting_for = (
                FallbackReason.budget_exhausted
                if isinstance(exc.__cause__, BudgetWait)
                else FallbackReason.rate_limited
            )
            raise ModelUnavailable(waiting_for, f"{exc.reason} (attempt {attempt})") from exc
        stop_timer = metrics.timer(metrics.MODEL_CALL_TIME)
        pause: float | None = None
        try:
            body, headers = _request(
                client,
                settings,
                messages=messages,
                response_format=response_format,
                max_tokens=max_tokens,
                read_timeout=read_timeout,
                deadline=time.monotonic() + attempt_seconds,
            )
        except openai.RateLimitError as exc:
            stop_timer()
            gate.settle(admission, 0, 0)
            if _quota_exhausted(exc):
                metrics.MODEL_CALLS.labels(outcome="quota_exhausted").inc()
                raise ModelUnavailable(
                    FallbackReason.quota_exhausted, "the model account's quota is exhausted"
                ) from exc
            metrics.MODEL_CALLS.labels(outcome="rate_limited").inc()
            wait = retry_after_seconds(exc.response.headers) or parse_reset(
                exc.response.headers.get("x-ratelimit-reset-requests")
            )
            gate.slow_down(wait if wait else backoff_seconds(attempt, settings))
            last_reason, last_detail = FallbackReason.rate_limited, "429 rate limited"
        except (openai.APITimeoutError, openai.APIConnectionError, _TooSlow) as exc:
            stop_timer()
            timed_out = not isinstance(exc, openai.APIConnectionError) or isinstance(
                exc, openai.APITimeoutError
            )
            # A timed-out call may still be billed: keep its worst-case reservation.
            gate.settle(
                admission, prompt_tokens if timed_out else 0, max_tokens if timed_out else 0
            )
            metrics.MODEL_CALLS.labels(outcome="timeout" if timed_out else "connection_error").inc()
            pause = backoff_seconds(attempt, settings)
            last_reason, last_detail = FallbackReason.model_error, type(exc).__name__
        except openai.APIStatusError as exc:
            stop_timer()
            gate.settle(admission, 0, 0)
            metrics.MODEL_CALLS.labels(outcome=f"http_{exc.status_code}").inc()
            if exc.status_code < 500 and exc.status_code not in (408, 409):
                raise ModelUnavailable(
                    FallbackReason.model_rejected, f"HTTP {exc.status_code} from the model"
                ) from exc
            pause = retry_after_seconds(exc.response.headers) or backoff_seconds(attempt, settings)
            last_reason, last_detail = FallbackReason.model_error, f"HTTP {exc.status_code}"
        except Exception as exc:
            # Anything else may still have been billed.
            stop_timer()
            gate.settle(admission, prompt_tokens, max_tokens)
            metrics.MODEL_CALLS.labels(outcome="unexpected_error").inc()
            raise ModelUnavailable(FallbackReason.model_error, _describe(exc)) from exc
        else:
            stop_timer()
            try:
                answer = _answer(body, headers)
            except (ValueError, AttributeError, IndexError, TypeError) as exc:
                # HTTP 200 with a body that is not a chat completion (e.g. a proxy's page).
                gate.settle(admission, prompt_tokens, max_tokens)
                metrics.MODEL_CALLS.labels(outcome="malformed").inc()
                raise ModelUnavailable(
                    FallbackReason.invalid_output, f"not a chat completion: {_describe(exc)}"
                ) from exc
            if not answer.usage_reported:
                # Nothing says what it cost: it is charged what was reserved for it.
                answer.input_tokens, answer.output_tokens = prompt_tokens, max_tokens
            metrics.MODEL_CALLS.labels(outcome="ok").inc()
            answer.cost_usd = gate.settle(admission, answer.input_tokens, answer.output_tokens)
            gate.read_headers(headers)
            return answer
        if attempt < settings.openai_max_attempts and pause is not None:
            delay = min(settings.openai_backoff_max_seconds, pause, max(0.0, call.remaining()))
            log.info("model_retry", attempt=attempt, delay=round(delay, 3), error=last_detail)
            sleep(delay)
    raise ModelUnavailable(
        last_reason, f"{last_detail} after {settings.openai_max_attempts} attempts"
    )


def _request(
    client: openai.OpenAI,
    settings: Settings,
    *,
    messages: list[dict[str, str]],
    response_format: dict[str, Any],
    max_tokens: int,
    read_timeout: float,
    deadline: float,
) -> tuple[bytes, Mapping[str, str]]:
    """One HTTP request; its body read chunk by chunk until `deadline` (then `_TooSlow`)."""
    timeout = openai.Timeout(read_timeout, connect=min(5.0, read_timeout))
    # The body goes as plain JSON in `extra_body` (which the client merges over its own, key by
    # key): passed as typed parameters, the messages and the schema are walked on every call by
    # the client's transform, which tries each message type of a union on each message and
    # changes nothing in plain role/content dicts — a few milliseconds of CPU per call.
    body = {
        "model": settings.openai_model,
        "messages": messages,
        "max_tokens": max_tokens,
        "temperature": 0.4,
        "response_format": response_format,
    }
    with client.chat.completions.with_streaming_response.create(
        model=settings.openai_model, messages=[], timeout=timeout, extra_body=body
    ) as response:
        chunks = []
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _TooSlow("the answer was still arriving at the call's deadline")
        return b"".join(chunks), response.headers


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _quota_exhausted(exc: openai.RateLimitError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    code = (
        body.get("code") or (body.get("error") or {}).get("code")
        if isinstance(body, dict)
        else None
    )
    return code == "insufficient_quota"


def _answer(body: bytes, headers: Mapping[str, str]) -> ModelAnswer:
    """The parts of a chat completion the worker uses; raises ValueError (pydantic's
    ValidationError is one) when the body is not one."""
    completion = ChatCompletion.model_validate_json(body)
    choice = completion.choices[0]
    usage = completion.usage
    return ModelAnswer(
        content=choice.message.content,
        refusal=getattr(choice.message, "refusal", None),
        finish_reason=choice.finish_reason,
        model=completion.model,
        input_tokens=usage.prompt_tokens if usage else 0,
        output_tokens=usage.completion_tokens if usage else 0,
        headers=headers,
        usage_reported=usage is not None,
    )
