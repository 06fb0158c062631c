"""What of the learner model reaches the prompt: weakest concepts and the concept's mastery."""

from __future__ import annotations

from ailp.models import Learner
from content_worker.learner_context import content_request
from content_worker.prompts import build_messages


def _learner(state: dict, niche: str = "data") -> Learner:
    return Learner(
        id=1,
        user_id=7,
        target_niche=niche,
        experience_level="intermediate",
        preferred_learning_style="kinesthetic",
        learning_goals="analyst job",
        knowledge_state=state,
    )


STATE = {
    "top_gaps": [{"concept": "window functions"}, {"concept": "SQL joins"}],
    "concepts": {
        "sql joins": {"p_mastery": 0.3, "mastered": False},
        "indexes": {"p_mastery": 0.5, "mastered": False},
        "group by": {"p_mastery": 0.2, "mastered": False},
        "select": {"p_mastery": 0.99, "mastered": True},
    },
}


def test_weakest_concepts_gaps_first_then_least_mastered_without_the_requested_one() -> None:
    request = content_request({"concept": "SQL Joins", "content_type": "quiz"}, _learner(STATE))
    assert request.knowledge_gaps == ("window functions", "group by", "indexes")
    assert request.concept_mastery == 0.3
    assert request.experience_level == "intermediate" and request.learning_style == "kinesthetic"


def test_a_new_learner_has_no_model_yet() -> None:
    request = content_request({"concept": "SQL joins", "content_type": "lesson"}, _learner({}))
    assert request.knowledge_gaps == () and request.concept_mastery is None


def test_the_prompt_adapts_to_mastery() -> None:
    low = content_request({"concept": "group by", "content_type": "lesson"}, _learner(STATE))
    high = content_request({"concept": "select", "content_type": "lesson"}, _learner(STATE))
    assert (
        '"mastery_of_this_concept": 0.2,\n  "mastery_band": "low"'
        in (build_messages(low)[1]["content"])
    )
    assert '"mastery_band": "high"' in build_messages(high)[1]["content"]
    system = build_messages(low)[0]["content"]
    assert "low: barely known yet; start from the fundamentals" in system
    assert "high: nearly mastered; go deeper" in system


def test_the_request_knows_who_asks_and_spells_a_public_niche_one_way() -> None:
    ask = {"concept": "SQL joins", "content_type": "lesson"}
    public = content_request(ask, _learner({}, niche=" Web Dev "))
    assert public.user_id == 7 and public.niche == "web_dev"
    assert content_request(ask, _learner({}, niche="Falcon team")).niche == "Falcon team"


def test_blank_goals_are_no_goals() -> None:
    learner = _learner({})
    learner.learning_goals = "  \n "
    assert content_request({"concept": "x", "content_type": "quiz"}, learner).goals is None
