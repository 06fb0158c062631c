"""Versioned prompt templates. Change the wording → add a new version folder and bump
`PROMPT_VERSION`: it is part of the cache key and of every result.

Every learner-controlled value (concept, goals, niche, knowledge-gap names, anything the learner
typed or answered) travels in exactly one place: the data block at the end of the user message,
as JSON in which every character that could pass for markup or hide text is a `\\u` escape. The
text outside the block depends on the content type alone, so no value can add an instruction,
and no value can close the block (it cannot contain a raw `<`).
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

from content_worker.domain import ContentRequest

PROMPT_VERSION = "v2"

DATA_TAG = "learner_request"
OPEN_DATA = f"<{DATA_TAG}>"
CLOSE_DATA = f"</{DATA_TAG}>"

# Letters (so not caught by their category below) that are look-alikes of < and >, used in real
# homoglyph attacks: Canadian syllabics PA and PO.
_ANGLE_LETTERS = frozenset("\u1438\u1433")
# Non-ASCII categories kept as they are: letters, marks, digits, dashes, ordinary punctuation and
# symbols such as emoji. Everything else (brackets, quotes, maths signs such as U+FF1C "＜",
# spaces and separators, control, format and private-use characters) is escaped.
_READABLE = frozenset(
    {"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pd", "Po", "So"}
)
_MARKUP = frozenset("<>&`\"'\\\x7f")


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


@cache
def _needs_escape(char: str) -> bool:
    if char.isascii():
        # JSON already escapes quotes, backslashes and control characters inside strings; the
        # raw ones left here are structure (outside strings) and must stay.
        return char in "<>&`\x7f"
    if char in _ANGLE_LETTERS or unicodedata.category(char) not in _READABLE:
        return True
    return any(part in _MARKUP for part in unicodedata.normalize("NFKC", char))


def escape_json_text(text: str) -> str:
    """JSON text with every risky character as a `\\u` escape: the same document, since in valid
    JSON such characters occur only inside string literals, where an escape means the same
    character. (Text that is not JSON stays readable and loses its risky characters.)"""
    if text.isascii():  # the usual case, without a Python step per character
        return text.translate(_ASCII_ESCAPES)
    return "".join(_escape(char) if _needs_escape(char) else char for char in text)


_ASCII_ESCAPES = {ord(char): _escape(char) for char in "<>&`\x7f"}


def encode_data(data: dict[str, Any]) -> str:
    """`data` as JSON that decodes to exactly `data` and holds no character that could end the
    block or hide from a reader."""
    return escape_json_text(json.dumps(data, ensure_ascii=False, indent=2))


def mastery_band(p: float | None) -> str:
    if p is None:
        return "unknown"
    return "low" if p < 0.4 else "mid" if p < 0.8 else "high"


def learner_data(request: ContentRequest) -> dict[str, Any]:
    """What the model learns about the request: the data block's content."""
    return {
        "concept": request.concept,
        "content_type": request.content_type,
        "experience_level": request.experience_level,
        "learning_style": request.learning_style,
        "niche": request.niche,
        "goals": request.goals,
        "knowledge_gaps": list(request.knowledge_gaps),
        "mastery_of_this_concept": request.concept_mastery,
        "mastery_band": mastery_band(request.concept_mastery),
    }


@cache
def _template(version: str, name: str) -> str:
    text = resources.files(__package__).joinpath(version, f"{name}.txt").read_text("utf-8")
    if OPEN_DATA in text or CLOSE_DATA in text:
        raise ValueError(f"prompt template {version}/{name} must not contain the data delimiters")
    return text


def build_messages(request: ContentRequest, version: str = PROMPT_VERSION) -> list[dict[str, str]]:
    """System and user messages: fixed instructions for the content type, then the data block."""
    block = f"{OPEN_DATA}\n{encode_data(learner_data(request))}\n{CLOSE_DATA}"
    return [
        {"role": "system", "content": _template(version, "system")},
        {"role": "user", "content": f"{_template(version, request.content_type)}\n{block}"},
    ]


PROBLEM_TAG = "validation_problem"


def repair_messages(
    messages: list[dict[str, str]], *, answer: str, problem: str, version: str = PROMPT_VERSION
) -> list[dict[str, str]]:
    """The conversation for the one repair attempt: the model's invalid answer and what is wrong
    with it. Both may quote learner text (or the data delimiters) back, so the answer returns
    with the same escapes as the data block and the problem travels in its own escaped block,
    after fixed instructions; the learner block stays the only one of its kind."""
    block = f"<{PROBLEM_TAG}>\n{encode_data({'problem': problem})}\n</{PROBLEM_TAG}>"
    return [
        *messages,
        {"role": "assistant", "content": escape_json_text(answer)},
        {"role": "user", "content": f"{_template(version, 'repair')}\n{block}"},
    ]
