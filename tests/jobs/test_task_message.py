"""Hand-built task messages (published by the async gateway) equal what Celery publishes."""

from __future__ import annotations

import base64
import json
import uuid

import redis

from ailp.config import Settings
from ailp.queue.celery_app import make_celery
from ailp.queue.messages import named_jobs, task_message
from ailp.queue.names import GENERATE_CONTENT_TASK
from tests.support.database import SCRATCH_REDIS_DB, redis_url


def test_message_has_the_same_shape_as_celerys_own() -> None:
    url = redis_url(SCRATCH_REDIS_DB)
    queue = f"message-test-{uuid.uuid4().hex}"  # a list of its own: nothing else pushes to it
    app = make_celery("message-test", Settings(redis_url=url))
    app.send_task(GENERATE_CONTENT_TASK, args=["job-1"], queue=queue)
    client = redis.Redis.from_url(url)
    try:
        celerys = json.loads(client.lrange(queue, 0, -1)[0])
    finally:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
    ours = json.loads(task_message(GENERATE_CONTENT_TASK, queue, ["job-1"]))

    assert ours.keys() == celerys.keys()
    assert ours["headers"].keys() == celerys["headers"].keys()
    assert ours["properties"].keys() == celerys["properties"].keys()
    for key in ("content-type", "content-encoding"):
        assert ours[key] == celerys[key]
    assert ours["properties"]["delivery_info"] == celerys["properties"]["delivery_info"]
    assert ours["headers"]["task"] == celerys["headers"]["task"]
    assert json.loads(base64.b64decode(ours["body"])) == json.loads(
        base64.b64decode(celerys["body"])
    )


def test_the_job_ids_a_message_names_are_read_back() -> None:
    single = json.loads(task_message(GENERATE_CONTENT_TASK, "content", ["job-1"]))
    batch = json.loads(task_message("ailp.analytics.compute_batch", "analytics", [["a", "b"]]))
    assert named_jobs(single) == ["job-1"] and named_jobs(batch) == ["a", "b"]
    assert named_jobs({"body": "not base64 json"}) == [] and named_jobs({}) == []
