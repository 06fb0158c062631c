"""One content job: cache → model → fallback, then one stored piece.

The model call happens outside any database transaction; the piece and the job's terminal
status are committed together by the job runner (`ailp.jobs.runner`).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ailp import metrics
from ailp.config import Settings, get_settings
from ailp.db.engine import autocommit_connection
from ailp.db.rows import Executor, table_of
from ailp.jobs.lifecycle import Claim, OutputRow
from ailp.jobs.runner import JobOutcome, PermanentJobError
from ailp.logging import get_logger
from ailp.models import Content
from ailp.models.enums import ContentSource
from ailp.schemas.content import ContentOut
from content_worker import cache, model_client, single_flight
from content_worker.cache import StoredPiece
from content_worker.domain import (
    ContentRequest,
    FallbackReason,
    GeneratedPiece,
    ModelUnavailable,
    normalize_concept,
)
from content_worker.fallback.builder import build_offline
from content_worker.gate import CallContext, get_gate
from content_worker.learner_context import content_request, load_profile
from content_worker.model_client import ModelAnswer
from content_worker.output import OUTPUT_MODELS, response_format
from content_worker.privacy import audience_of
from content_worker.prompts import PROMPT_VERSION, build_messages, repair_messages

log = get_logger(__name__)


class InvalidOutput(Exception):
    pass


# A content job's model calls end this long (plus one read timeout) before its deadline, leaving
# time for the offline fallback and the final write.
FINISH_SECONDS = 10.0
# How often a job waiting for an identical request's piece looks in the cache.
FOLLOW_POLL_SECONDS = 0.5


def generate(claim: Claim) -> JobOutcome:
    settings = get_settings()
    fresh = bool(claim.params.get("fresh", False))
    model_seconds = (
        claim.seconds_left(settings.content_job_deadline_seconds)
        - settings.openai_timeout_seconds
        - FINISH_SECONDS
    )
    call = CallContext(claim.user_id, claim.job_id, time.monotonic() + model_seconds)
    with autocommit_connection() as session:  # reads only
        learner = load_profile(session, claim.learner_id)
        if learner is None:
            raise PermanentJobError("learner_not_found", "The learner was deleted.")
        request = content_request(claim.params, learner)
        key = cache.cache_key(request, model=settings.openai_model, prompt_version=PROMPT_VERSION)
        piece = None if fresh else _cached(session, request, key, settings)
    if piece is None:
        piece = (
            _write(request, settings, call) if fresh else _write_once(request, key, settings, call)
        )
    return _outcome(claim, request, piece, key)


def _cached(
    session: Executor, request: ContentRequest, key: str, settings: Settings
) -> GeneratedPiece | None:
    cached = cache.find_identical(
        session, request=request, key=key, max_age_days=settings.content_cache_max_age_days
    )
    return _from_stored(cached, request, notice=None) if cached else None


def _write_once(
    request: ContentRequest, key: str, settings: Settings, call: CallContext
) -> GeneratedPiece:
    """Ask the model unless an identical request is already asking; then take its piece."""
    with single_flight.lead(key, ttl_seconds=3 * settings.job_heartbeat_seconds) as leadership:
        if leadership.leads:
            piece = _write(request, settings, call)
            leadership.wrote_piece = piece.source == ContentSource.openai.value
            return piece
    while call.remaining() > 0:
        with autocommit_connection() as session:
            cached = _cached(session, request, key, settings)
        if cached is not None:
            return cached
        if not single_flight.in_flight(key):
            break  # the other job ended without a piece: ask ourselves
        time.sleep(FOLLOW_POLL_SECONDS)
    return _write(request, settings, call)


def _write(request: ContentRequest, settings: Settings, call: CallContext) -> GeneratedPiece:
    """Ask the model; on any reason it cannot be used, fall back."""
    spent = _Spend()
    try:
        return _ask_model(request, settings, spent, call)
    except ModelUnavailable as exc:
        reason, detail, notice = exc.reason, exc.detail, exc.notice
    except InvalidOutput as exc:
        reason, detail = FallbackReason.invalid_output, str(exc)
        notice = reason.notice
    log.warning("content_fallback", reason=reason.value, detail=detail)
    metrics.FALLBACK_REASONS.labels(reason=reason.value).inc()
    piece = _nearest_ai_piece(request, notice) or build_offline(request, reason)
    if piece.source == ContentSource.fallback.value:
        piece.notice = notice
    piece.input_tokens, piece.output_tokens, piece.cost_usd = spent.input, spent.output, spent.cost
    return piece


_CONTENT = table_of(Content)


class _Spend:
    def __init__(self) -> None:
        self.input = self.output = 0
        self.cost = 0.0

    def add(self, answer: ModelAnswer) -> None:
        self.input += answer.input_tokens
        self.output += answer.output_tokens
        self.cost += answer.cost_usd
        metrics.MODEL_TOKENS.labels(direction="input").inc(answer.input_tokens)
        metrics.MODEL_TOKENS.labels(direction="output").inc(answer.output_tokens)
        metrics.MODEL_COST.inc(answer.cost_usd)


def _ask_model(
    request: ContentRequest, settings: Settings, spent: _Spend, call: CallContext
) -> GeneratedPiece:
    gate = get_gate(settings)
    fmt = response_format(request.content_type)  # built once per type

    def ask(messages: list[dict[str, str]], *, may_defer: bool = True) -> ModelAnswer:
        answer = model_client.complete(
            settings,
            gate,
            call=call,
            messages=messages,
            response_format=fmt,
            max_tokens=settings.openai_max_tokens,
            may_defer=may_defer,
        )
        spent.add(answer)
        return answer

    messages = build_messages(request)
    answer = ask(messages)
    try:
        output = _parse(answer, request.content_type)
    except InvalidOutput as first_error:
        # One repair attempt: show the model its answer and what was wrong with it.
        log.info("model_output_invalid_repairing", error=str(first_error))
        answer = ask(
            repair_messages(messages, answer=answer.content or "", problem=str(first_error)),
            may_defer=False,  # the first answer is paid for: no going back to the queue
        )
        output = _parse(answer, request.content_type)
    return GeneratedPiece(
        title=output.title,
        content=output.content,
        examples=list(output.examples),
        exercises=[{**item.model_dump(), "concept": request.concept} for item in output.exercises],
        source=ContentSource.openai.value,
        model=answer.model or settings.openai_model,
        input_tokens=spent.input,
        output_tokens=spent.output,
        cost_usd=spent.cost,
    )


def _parse(answer: ModelAnswer, content_type: str) -> Any:
    """The answer as the content type's output model; truncated or refused answers are not content."""
    if answer.refusal:
        raise InvalidOutput(f"the model refused: {answer.refusal[:200]}")
    if answer.finish_reason == "length":
        raise InvalidOutput("the answer was cut off (max_tokens reached)")
    if not answer.content:
        raise InvalidOutput("the answer was empty")
    try:
        return OUTPUT_MODELS[content_type].model_validate(json.loads(answer.content))
    except json.JSONDecodeError as exc:
        raise InvalidOutput(f"the answer is not valid JSON ({exc.msg})") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise InvalidOutput(problems) from exc


def _nearest_ai_piece(request: ContentRequest, notice: str) -> GeneratedPiece | None:
    try:
        with autocommit_connection() as session:
            stored = cache.find_nearest(session, request=request)
            return _from_stored(stored, request, notice=_reuse_notice(notice)) if stored else None
    except Exception as exc:  # the offline builder needs nothing else
        log.warning("nearest_ai_piece_unavailable", error=str(exc))
        return None


def _reuse_notice(notice: str) -> str:
    first_sentence = notice.split(". ")[0]
    return (
        f"{first_sentence}. You are seeing an earlier AI-written piece on the same concept instead."
    )


def _from_stored(
    content: StoredPiece, request: ContentRequest, *, notice: str | None
) -> GeneratedPiece:
    """An earlier piece for this request; its exercises are about the concept as asked now
    (answers are grouped by that exact string), not as the first requester spelled it."""
    return GeneratedPiece(
        title=content.title,
        content=content.body,
        examples=list(content.examples),
        exercises=[{**item, "concept": request.concept} for item in content.exercises],
        source=ContentSource.cache.value,
        model=content.model,
        notice=notice,
        shareable=content.shared,
    )


def _outcome(claim: Claim, request: ContentRequest, piece: GeneratedPiece, key: str) -> JobOutcome:
    content_id = uuid.uuid4()
    created_at = datetime.now(UTC)
    result = ContentOut(
        content_id=content_id,
        learner_id=claim.learner_id,
        concept=request.concept,
        content_type=request.content_type,
        title=piece.title,
        content=piece.content,
        examples=piece.examples,
        exercises=piece.exercises,
        source=piece.source,
        model=piece.model,
        prompt_version=PROMPT_VERSION,
        usage={
            "input_tokens": piece.input_tokens,
            "output_tokens": piece.output_tokens,
            "cost_usd": piece.cost_usd,
        },
        notice=piece.notice,
        created_at=created_at,
    ).model_dump(mode="json")

    piece_row = OutputRow(
        _CONTENT,
        dict(
            id=content_id,
            learner_id=claim.learner_id,
            job_id=claim.job_id,
            concept=request.concept,
            concept_key=normalize_concept(request.concept),
            content_type=request.content_type,
            experience_level=request.experience_level,
            title=piece.title[:300],
            body=piece.content,
            examples=piece.examples,
            exercises=result["exercises"],
            source=piece.source,
            model=piece.model,
            prompt_version=PROMPT_VERSION,
            input_tokens=piece.input_tokens,
            output_tokens=piece.output_tokens,
            cost_usd=piece.cost_usd,
            notice=piece.notice,
            cache_key=key,
            owner_user_id=request.user_id,
            shared=audience_of(request).shared and piece.shareable,
            created_at=created_at,
        ),
    )
    metrics.CONTENT_GENERATED.labels(source=piece.source, content_type=request.content_type).inc()
    return JobOutcome(result=result, result_url=f"/api/content/{content_id}", output=piece_row)
