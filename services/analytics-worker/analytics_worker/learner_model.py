"""Per-concept mastery (BKT) and review schedule (FSRS) over a learner's whole answer history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from analytics_worker import mastery, review


def concept_mastery(history: Sequence[tuple[str, bool, datetime]]) -> list[dict[str, Any]]:
    """`history` is (concept, correct, answered_at) sorted by concept, then time.

    Returns one entry per concept, sorted by concept, with datetimes (not yet serialized).
    """
    entries = []
    for concept, group in groupby(history, key=itemgetter(0)):
        answers = [(answered_at, correct) for _, correct, answered_at in group]
        p = mastery.p_mastery(correct for _, correct in answers)
        entries.append(
            {
                "concept": concept,
                "p_mastery": p,
                "mastered": mastery.is_mastered(p),
                "attempts": len(answers),
                "correct": sum(1 for _, correct in answers if correct),
                "last_answered_at": answers[-1][0],
                "next_review_at": review.next_review_at(answers),
            }
        )
    entries.sort(key=itemgetter("concept"))
    return entries
