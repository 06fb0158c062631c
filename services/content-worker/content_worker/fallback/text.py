"""Small, deterministic text helpers for building Markdown offline."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence

# Words that must never reach a learner: they mark unfinished content.
FORBIDDEN_PATTERN = re.compile(r"\b(?:todo|tbd|lorem|ipsum|placeholder)", re.IGNORECASE)


def has_forbidden_words(text: str) -> bool:
    return FORBIDDEN_PATTERN.search(text) is not None


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def numbered(items: Iterable[str]) -> str:
    return "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(_cell(header) for header in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def shorten(text: str, width: int = 72) -> str:
    """The text cut at a word boundary to at most `width` characters (with an ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:—- ")
    return cut + "…"


def tree(root: str, items: Sequence[str]) -> str:
    """An ASCII tree diagram (in a fenced block) with one branch per item."""
    lines = [shorten(root, 60)]
    for index, item in enumerate(items):
        branch = "└──" if index == len(items) - 1 else "├──"
        lines.append(f"{branch} {shorten(item)}")
    return "```text\n" + "\n".join(lines) + "\n```"


def join_words(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9¿¡\"'“(`*])")


def sentences(text: str) -> list[str]:
    """The text split into sentences (a sentence ends in . ! or ? before a capital)."""
    return [part for part in _SENTENCE_END.split(" ".join(text.split())) if part]


def first_sentence(text: str) -> str:
    parts = sentences(text)
    return parts[0] if parts else text


def stable_index(key: str, modulo: int) -> int:
    """A deterministic index in range(modulo) derived from `key` (never Python's hash())."""
    return zlib.crc32(key.encode("utf-8")) % modulo


def place_answer(answer: str, distractors: Sequence[str], key: str) -> tuple[str, ...]:
    """The choices with the answer inserted at a stable, key-dependent position."""
    choices = list(distractors)
    choices.insert(stable_index(key, len(choices) + 1), answer)
    return tuple(choices)
