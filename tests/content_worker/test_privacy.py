"""Which requests may share pieces across users, and how the audience enters the cache key."""

from __future__ import annotations

import dataclasses

import pytest

from content_worker.cache import cache_key
from content_worker.domain import ContentRequest
from content_worker.privacy import audience_of, private_fields, public_niche
from content_worker.prompts import learner_data


def _request(**overrides: object) -> ContentRequest:
    values: dict[str, object] = {
        "concept": "SQL joins",
        "content_type": "lesson",
        "experience_level": "beginner",
        "learning_style": "visual",
        "niche": "data",
        "user_id": 1,
    }
    values.update(overrides)
    return ContentRequest(**values)  # type: ignore[arg-type]


def _key(request: ContentRequest) -> str:
    return cache_key(request, model="gpt-4o-mini", prompt_version="v2")


@pytest.mark.parametrize(
    ("spelled", "public"),
    [
        ("data", "data"),
        ("  Data ", "data"),
        ("Web Dev", "web_dev"),
        ("web-dev", "web_dev"),
        ("TECH_CAREER", "tech_career"),
        ("ｄａｔａ", "data"),  # full-width letters are the same word
        ("d\u200bata", None),  # a hidden character makes it something else: private
        ("data at Acme", None),
        ("Project Falcon", None),
        ("", None),
    ],
)
def test_public_niches_have_one_spelling(spelled: str, public: str | None) -> None:
    assert public_niche(spelled) == public


def test_a_request_without_private_fields_is_shared() -> None:
    assert private_fields(_request()) == ()
    assert private_fields(_request(goals="   ")) == ()  # blank goals say nothing
    assert audience_of(_request()).shared


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"goals": "my secret goal"}, "goals"),
        ({"knowledge_gaps": ("joins",)}, "knowledge_gaps"),
        ({"concept_mastery": 0.0}, "concept_mastery"),
        ({"niche": "Project Falcon"}, "niche"),
    ],
)
def test_any_private_field_makes_the_piece_its_owners(
    overrides: dict[str, object], field: str
) -> None:
    request = _request(**overrides)
    assert private_fields(request) == (field,)
    audience = audience_of(request)
    assert not audience.shared and audience.scope == "user:1"


def test_shared_keys_are_the_same_for_every_user() -> None:
    assert _key(_request(user_id=1)) == _key(_request(user_id=2))
    assert _key(_request(concept="  sql JOINS! ")) == _key(_request())


def test_private_keys_are_per_user_and_never_a_shared_key() -> None:
    private = _request(goals="my secret goal")
    assert _key(private) != _key(dataclasses.replace(private, user_id=2))
    assert _key(private) != _key(_request())
    # The same user, the same private request: the cache works for them.
    assert _key(private) == _key(dataclasses.replace(private, goals="another goal"))


def test_every_field_of_the_prompt_has_a_privacy_decision() -> None:
    """A new field in the data block fails here until `private_fields` decides about it."""
    decided = {"concept", "content_type", "experience_level", "learning_style", "niche", "goals"}
    decided |= {"knowledge_gaps", "mastery_of_this_concept", "mastery_band"}
    assert set(learner_data(_request())) == decided


def test_a_shared_prompt_holds_no_private_value() -> None:
    data = learner_data(_request(goals="  "))
    assert audience_of(_request(goals="  ")).shared
    assert data["niche"] == "data" and not (data["goals"] or "").strip()
    assert data["knowledge_gaps"] == [] and data["mastery_of_this_concept"] is None
    assert data["mastery_band"] == "unknown"
