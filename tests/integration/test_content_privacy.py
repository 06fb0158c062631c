"""Privacy of generated content through the real stack: a piece written from one user's private
fields (goals, knowledge gaps, mastery, a niche outside the public list) reaches nobody else,
neither from the cache nor from the fallback's reuse of earlier AI pieces; shareable requests
still share the cache.

The loopback model server echoes the learner's goals into every piece it writes, so a leak is
visible as text, not only as a `source` value.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.api import Api
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack

SECRET = "my secret goal XYZ"


def _generate(api: Api, learner: dict, concept: str, **body: object) -> dict:
    response = api.submit_content(learner["id"], concept=concept, content_type="lesson", **body)
    assert response.status_code == 202, response.text
    job = api.wait_job(response.json()["id"])
    assert job["status"] == "succeeded", job
    return dict(job["result"])


def _text(piece: dict) -> str:
    """Every text a learner sees in a piece."""
    items = " ".join(" ".join(str(value) for value in item.values()) for item in piece["exercises"])
    return " ".join([piece["title"], piece["content"], *map(str, piece["examples"]), items])


def _concept(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def users(stack: Stack) -> Iterator[list[Api]]:
    clients = [Api(stack.base_url).new_user() for _ in range(3)]
    yield clients
    for client in clients:
        client.close()


@pytest.fixture
def echo_goals(model_server: ModelServerProcess) -> ModelServerProcess:
    model_server.control.set_default(mode="ok", echo="goals")
    return model_server


def test_a_piece_written_from_goals_reaches_no_other_user(
    users: list[Api], echo_goals: ModelServerProcess
) -> None:
    alice, bob, _ = users
    profile = {"target_niche": "data", "experience_level": "beginner"}
    alices = alice.create_learner(**profile, learning_goals=SECRET)
    bobs = bob.create_learner(**profile, learning_goals=None)
    concept = _concept("Privacy probe")

    mine = _generate(alice, alices, concept)
    assert mine["source"] == "openai" and SECRET in _text(mine)  # the echo shows the goals

    # Same concept, level, style and niche, no goals: Bob must not get Alice's piece.
    theirs = _generate(bob, bobs, concept)
    assert "XYZ" not in _text(theirs)
    assert theirs["source"] == "openai" and theirs["content"] != mine["content"]

    # The cache still works for Alice herself.
    again = _generate(alice, alices, f"  {concept.upper()} ")
    assert again["source"] == "cache" and again["content"] == mine["content"]


def test_the_fallback_never_reuses_another_users_private_piece(
    users: list[Api], echo_goals: ModelServerProcess
) -> None:
    alice, bob, _ = users
    profile = {"target_niche": "data", "experience_level": "beginner"}
    alices = alice.create_learner(**profile, learning_goals=SECRET)
    bobs = bob.create_learner(**profile, learning_goals=None)
    concept = _concept("Fallback probe")
    assert SECRET in _text(_generate(alice, alices, concept))

    echo_goals.control.add_rule(concept.lower(), mode="500")  # the model is down for this concept
    reused = _generate(bob, bobs, concept)
    assert "XYZ" not in _text(reused)
    assert reused["source"] == "fallback" and reused["notice"]

    # Alice's own earlier piece is still hers to reuse.
    own = _generate(alice, alices, concept, fresh=True)
    assert own["source"] == "cache" and SECRET in _text(own)
    assert "earlier AI-written piece" in own["notice"]


def test_a_piece_written_from_knowledge_gaps_reaches_no_other_user(
    users: list[Api], model_server: ModelServerProcess
) -> None:
    """Gaps come from the learner's own answers (and their concept names are typed by them)."""
    alice, bob, _ = users
    alices = alice.create_learner(target_niche="data", learning_goals=None)
    bobs = bob.create_learner(target_niche="data", learning_goals=None)
    gap = f"secret gap XYZ {uuid.uuid4().hex[:6]}"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    answers = [{"concept": gap, "correct": False, "answered_at": yesterday}] * 3
    posted = alice.http.post(f"/api/learners/{alices['id']}/responses", json={"responses": answers})
    assert posted.status_code == 201, posted.text
    analytics = alice.submit_analytics(alices["id"])
    assert analytics.status_code == 202, analytics.text
    assert alice.wait_job(analytics.json()["id"])["status"] == "succeeded"

    model_server.control.set_default(mode="ok", echo="knowledge_gaps")
    concept = _concept("Gap probe")
    mine = _generate(alice, alices, concept)
    assert mine["source"] == "openai" and gap in _text(mine)  # the echo shows the gap
    theirs = _generate(bob, bobs, concept)
    assert "XYZ" not in _text(theirs) and theirs["source"] == "openai"


def test_a_free_text_niche_is_private(users: list[Api], echo_goals: ModelServerProcess) -> None:
    alice, bob, _ = users
    niche = f"Project Falcon {uuid.uuid4().hex[:6]}"  # not on the public list of niches
    alices = alice.create_learner(target_niche=niche, learning_goals=None)
    bobs = bob.create_learner(target_niche=niche, learning_goals=None)
    concept = _concept("Niche probe")
    assert _generate(alice, alices, concept)["source"] == "openai"
    assert _generate(bob, bobs, concept)["source"] == "openai"
    assert _generate(alice, alices, concept)["source"] == "cache"


def test_shareable_requests_share_the_cache_and_the_fallback(
    users: list[Api], echo_goals: ModelServerProcess
) -> None:
    carol, dave, erin = users
    concept = _concept("Shared probe")
    first = _generate(
        carol, carol.create_learner(target_niche="data", learning_goals=None), concept
    )
    assert first["source"] == "openai"

    # Another user, the same public niche spelled differently, no private fields: a cache hit.
    daves = dave.create_learner(target_niche="Data", learning_goals=None)
    second = _generate(dave, daves, concept.lower())
    assert second["source"] == "cache" and second["content"] == first["content"]

    # With the model down, a third user at another level gets the shared piece as a fallback,
    # even with goals of her own (the shared piece carries nobody's private fields).
    echo_goals.control.add_rule(concept.lower(), mode="500")
    erins = erin.create_learner(target_niche="data", experience_level="advanced")
    reused = _generate(erin, erins, concept)
    assert reused["source"] == "cache" and reused["content"] == first["content"]
    assert "earlier AI-written piece" in reused["notice"]
