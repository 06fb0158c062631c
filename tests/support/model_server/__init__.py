"""A scriptable, OpenAI-compatible model server for tests and benchmarks.

This is a *test double*, but a real one: a single-process Starlette + uvicorn HTTP server
that speaks the OpenAI Chat Completions wire format on ``POST /v1/chat/completions``.
Tests point the official ``openai`` client (``base_url=...``) at it, so the whole client
stack (HTTP, retries, timeouts, error mapping, ``chat.completions.parse``) is exercised
for real. It is never used by the product.

Run it standalone::

    uv run python -m tests.support.model_server --host 127.0.0.1 --port 0 --port-file /tmp/x.port

or from Python with :class:`ModelServerProcess` (a context manager that starts it as a
subprocess) and script it with :class:`ModelServerControl`:

* ``POST /_control/script``   ``{"steps": [{"mode": "429", "count": 3}, {"mode": "500"}]}``
  appends steps to a FIFO queue; every chat request consumes one unit from its head.
* ``POST /_control/default``  ``{"mode": "ok", "delay": 0.3}``: behaviour when the queue is empty.
* ``POST /_control/rules``    ``{"match": "poison", "mode": "hang"}``: persistent rule applied
  (before the queue) to requests whose messages contain ``match`` (case-insensitive).
* ``POST /_control/reset``, ``GET /_control/requests[?since=<unix>]``, ``GET /_control/health``,
  ``GET /_control/state``.

Modes: ``ok``, ``slow``, ``hang``, ``429``, ``400``, ``401``, ``500``, ``502``, ``503``,
``invalid_json``, ``wrong_answer``, ``empty_fields``, ``truncated``, ``refusal``. Every mode
accepts ``delay`` (seconds before answering) and ``delay_max`` (then the delay is drawn uniformly
from ``[delay, delay_max]`` per request, like a real model's latency); error modes accept
``message``/``code``/``type`` overrides; any mode accepts ``headers`` (extra response headers,
e.g. ``x-should-retry``). ``echo`` (a JSON key, e.g. ``"goals"``) makes a successful answer
repeat that key's value from the prompt's JSON next to the concept, so a test can see what text
a piece was written from.

The request log (``/_control/requests``) names each request's ``concept`` and ``message_count``;
``?brief=1`` leaves the (large) ``messages`` out.

For ``response_format={"type": "json_schema", ...}`` the server synthesises a document that
validates against the schema, with readable text about the learner's concept (taken from a
``{"concept": ...}`` JSON object in the last user message). When ``max_tokens`` /
``max_completion_tokens`` is smaller than the answer (~4 characters per token) the content is cut
and ``finish_reason`` is ``"length"``, like a real model.

The package, one module per concern: ``state`` (modes, script queue, rules, request log),
``prompts`` (reading a request and its concept), ``text`` and ``schema`` (the synthesised
answer), ``completions`` (success and error bodies), ``app`` (the HTTP routes), ``__main__``
(serving them), ``control`` (the /_control client), ``process`` (the subprocess runner) and
``windows`` (peak requests/tokens over sliding windows).
"""

from tests.support.model_server.app import create_app
from tests.support.model_server.control import ModelServerControl
from tests.support.model_server.process import ModelServerProcess
from tests.support.model_server.prompts import concept_from_text
from tests.support.model_server.schema import SchemaSynthesizer
from tests.support.model_server.state import MODES, ServerState
from tests.support.model_server.windows import peak_requests_in_window, peak_tokens_in_window

__all__ = [
    "MODES",
    "ModelServerControl",
    "ModelServerProcess",
    "SchemaSynthesizer",
    "ServerState",
    "concept_from_text",
    "create_app",
    "peak_requests_in_window",
    "peak_tokens_in_window",
]
