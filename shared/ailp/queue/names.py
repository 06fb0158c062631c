"""Queue and task names: the only coupling between the gateway and the workers."""

from __future__ import annotations

from typing import NamedTuple

from ailp.models.enums import JobKind

CONTENT_QUEUE = "content"
ANALYTICS_QUEUE = "analytics"

GENERATE_CONTENT_TASK = "ailp.content.generate"
COMPUTE_ANALYTICS_TASK = "ailp.analytics.compute"
# Many analytics jobs in one message (batch recomputation); args: [[job_id, ...]].
COMPUTE_ANALYTICS_BATCH_TASK = "ailp.analytics.compute_batch"


class Route(NamedTuple):
    task: str
    queue: str


ROUTES: dict[JobKind, Route] = {
    JobKind.content: Route(GENERATE_CONTENT_TASK, CONTENT_QUEUE),
    JobKind.analytics: Route(COMPUTE_ANALYTICS_TASK, ANALYTICS_QUEUE),
}


def route_for(kind: str) -> Route:
    return ROUTES[JobKind(kind)]
