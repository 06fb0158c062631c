"""The HTTP layer: the OpenAI endpoints and the /_control API over one ServerState."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.model_server.completions import (
    build_completion,
    completion_body,
    error_body,
    error_headers,
)
from tests.support.model_server.prompts import (
    ChatRequest,
    bearer_token,
    estimate_tokens,
    extract_concept,
    messages_text,
    parse_chat_request,
)
from tests.support.model_server.state import (
    DEFAULT_DELAYS,
    ERROR_MODES,
    Rule,
    ServerState,
    normalize_behaviour,
)

CLIENT_CLOSED_STATUS = 499


async def _wait_for_disconnect(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def sleep_unless_disconnected(request: Request, delay: float) -> bool:
    """Sleep ``delay`` seconds; return True early if the client went away meanwhile."""
    sleeper = asyncio.ensure_future(asyncio.sleep(delay))
    watcher = asyncio.ensure_future(_wait_for_disconnect(request))
    try:
        done, _ = await asyncio.wait({sleeper, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sleeper, watcher):
            task.cancel()
    return watcher in done and sleeper not in done


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


class ModelServerApp:
    """Starlette endpoints bound to one :class:`ServerState`."""

    def __init__(self, state: ServerState | None = None) -> None:
        self.state = state or ServerState()

    def routes(self) -> list[Route]:
        return [
            Route("/v1/chat/completions", self.chat_completions, methods=["POST"]),
            Route("/v1/models", self.list_models, methods=["GET"]),
            Route("/_control/script", self.control_script, methods=["POST"]),
            Route("/_control/default", self.control_default, methods=["POST"]),
            Route("/_control/rules", self.control_rules, methods=["POST"]),
            Route("/_control/reset", self.control_reset, methods=["POST"]),
            Route("/_control/requests", self.control_requests, methods=["GET"]),
            Route("/_control/state", self.control_state, methods=["GET"]),
            Route("/_control/health", self.health, methods=["GET"]),
        ]

    # -- model API --------------------------------------------------------------------------

    async def chat_completions(self, request: Request) -> Response:
        received_at = time.time()
        parsed = parse_chat_request(_json_or_none(await request.body()))
        authorized = bool(bearer_token(request.headers.get("authorization")))
        # No awaits from here until the entry is recorded: choose + record atomically.
        behaviour = self._choose(parsed, authorized)
        entry = self.state.record(self._entry(received_at, parsed, behaviour, authorized))
        response = await self._respond(request, parsed, behaviour, entry)
        entry["status"] = response.status_code
        entry["finished_at"] = time.time()
        return response

    def _choose(self, parsed: ChatRequest | str, authorized: bool) -> dict[str, Any]:
        if not authorized:
            return {
                "mode": "401",
                "message": "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                "code": None,
            }
        if isinstance(parsed, str):
            return {"mode": "400", "message": parsed}
        if parsed.stream:
            return {
                "mode": "400",
                "message": "stream=true is not supported by the test model server",
            }
        haystack = json.dumps(parsed.messages, ensure_ascii=False) + messages_text(parsed.messages)
        return self.state.next_behaviour(haystack.lower())

    @staticmethod
    def _entry(
        at: float, parsed: ChatRequest | str, behaviour: Mapping[str, Any], authorized: bool
    ) -> dict[str, Any]:
        request = parsed if isinstance(parsed, ChatRequest) else None
        messages = request.messages if request else []
        return {
            "at": at,
            "finished_at": None,
            "request_id": f"req_{secrets.token_hex(16)}",
            "model": request.model if request else None,
            "max_tokens": request.max_tokens if request else None,
            "response_format": (request.response_format or {}).get("type") if request else None,
            "prompt_tokens": estimate_tokens(len(messages_text(messages))) if request else 0,
            "completion_tokens": 0,
            "status": None,
            "finish_reason": None,
            "mode": behaviour["mode"],
            "authorization_present": authorized,
            "concept": extract_concept(messages) if request else None,
            "message_count": len(messages),
            "messages": messages,
        }

    async def _respond(
        self,
        request: Request,
        parsed: ChatRequest | str,
        behaviour: Mapping[str, Any],
        entry: dict[str, Any],
    ) -> Response:
        mode = behaviour["mode"]
        delay = float(behaviour.get("delay", DEFAULT_DELAYS.get(mode, 0.0)))
        if "delay_max" in behaviour:
            delay = random.uniform(delay, float(behaviour["delay_max"]))
        if delay > 0 and await sleep_unless_disconnected(request, delay):
            entry["client_disconnected"] = True
            return Response(status_code=CLIENT_CLOSED_STATUS)
        headers = {
            "x-request-id": entry["request_id"],
            "openai-processing-ms": str(int((time.time() - entry["at"]) * 1000)),
            **self.state.rate_limit_headers(time.time()),
        }
        if mode in ERROR_MODES or not isinstance(parsed, ChatRequest):
            status = int(mode) if mode in ERROR_MODES else 400
            headers.update(error_headers(status, behaviour))
            headers.update({str(k): str(v) for k, v in behaviour.get("headers", {}).items()})
            return JSONResponse(error_body(status, behaviour), status_code=status, headers=headers)
        completion = build_completion(parsed, mode, behaviour.get("echo"))
        body = completion_body(parsed, completion, entry["prompt_tokens"])
        entry["completion_tokens"] = body["usage"]["completion_tokens"]
        entry["finish_reason"] = completion.finish_reason
        headers["openai-model"] = parsed.model
        headers.update({str(k): str(v) for k, v in behaviour.get("headers", {}).items()})
        return JSONResponse(body, headers=headers)

    async def list_models(self, request: Request) -> Response:
        created = int(time.time())
        models = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"]
        data = [
            {"id": m, "object": "model", "created": created, "owned_by": "ailp-test"}
            for m in models
        ]
        return JSONResponse({"object": "list", "data": data})

    # -- control API ------------------------------------------------------------------------

    async def _control_body(self, request: Request) -> Any:
        return _json_or_none(await request.body()) or {}

    async def control_script(self, request: Request) -> Response:
        body = await self._control_body(request)
        steps = body.get("steps") if isinstance(body, Mapping) else None
        if not isinstance(steps, list):
            return _control_error('expected {"steps": [...]}')
        try:
            normalized = [normalize_behaviour(step, allow_count=True) for step in steps]
        except (TypeError, ValueError) as exc:
            return _control_error(str(exc))
        self.state.enqueue(normalized)
        return JSONResponse({"queued": self.state.queued_units()})

    async def control_default(self, request: Request) -> Response:
        try:
            self.state.default = normalize_behaviour(await self._control_body(request))
        except (TypeError, ValueError) as exc:
            return _control_error(str(exc))
        return JSONResponse({"default": self.state.default})

    async def control_rules(self, request: Request) -> Response:
        body = await self._control_body(request)
        match = body.get("match") if isinstance(body, Mapping) else None
        if not isinstance(match, str) or not match:
            return _control_error("a rule needs a non-empty string 'match'")
        try:
            behaviour = normalize_behaviour({k: v for k, v in body.items() if k != "match"})
        except (TypeError, ValueError) as exc:
            return _control_error(str(exc))
        self.state.rules.append(Rule(match.lower(), behaviour))
        return JSONResponse({"rules": len(self.state.rules)})

    async def control_reset(self, request: Request) -> Response:
        self.state.reset()
        return JSONResponse({"status": "reset"})

    async def control_requests(self, request: Request) -> Response:
        since_raw = request.query_params.get("since")
        try:
            since = float(since_raw) if since_raw else None
        except ValueError:
            return _control_error("since must be a unix timestamp")
        entries = [e for e in self.state.log if since is None or e["at"] >= since]
        if request.query_params.get("brief") in ("1", "true"):
            entries = [{k: v for k, v in e.items() if k != "messages"} for e in entries]
        return JSONResponse({"requests": entries})

    async def control_state(self, request: Request) -> Response:
        return JSONResponse(self.state.snapshot())

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})


def _control_error(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def create_app(state: ServerState | None = None) -> Starlette:
    handlers = ModelServerApp(state)
    app = Starlette(routes=handlers.routes())
    app.state.model_server = handlers.state
    return app
