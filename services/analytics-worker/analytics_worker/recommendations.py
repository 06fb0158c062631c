"""What to study next: knowledge gaps first, then reviews that are due, then unmastered concepts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

URGENT_SEVERITIES = ("high", "medium")
MAX_RECOMMENDATIONS = 20


def recommend(
    gaps: list[dict[str, Any]], mastery: list[dict[str, Any]], as_of: datetime
) -> list[dict[str, Any]]:
    """Each concept once, under its most urgent reason; `priority` 1 is the first thing to do.

    * `knowledge_gap`: high or medium gaps, by gap priority (the order of `gaps`);
    * `review_due`: concepts whose review is due at `as_of`, most overdue first;
    * `not_mastered`: the rest that are not mastered, least likely mastered first.
    """
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(concept: str, reason: str) -> None:
        if concept not in seen:
            seen.add(concept)
            chosen.append((concept, reason))

    for gap in gaps:
        if gap["severity"] in URGENT_SEVERITIES:
            add(gap["concept"], "knowledge_gap")
    due = [m for m in mastery if m["next_review_at"] is not None and m["next_review_at"] <= as_of]
    for item in sorted(due, key=lambda m: (m["next_review_at"], m["concept"])):
        add(item["concept"], "review_due")
    for item in sorted(
        (m for m in mastery if not m["mastered"]), key=lambda m: (m["p_mastery"], m["concept"])
    ):
        add(item["concept"], "not_mastered")
    return [
        {"concept": concept, "reason": reason, "priority": rank}
        for rank, (concept, reason) in enumerate(chosen[:MAX_RECOMMENDATIONS], start=1)
    ]
