"""Offline content: what the learner gets when the AI model cannot be used."""

from content_worker.fallback.builder import build_offline
from content_worker.fallback.library import find_concept, load_library, validate_library

__all__ = ["build_offline", "find_concept", "load_library", "validate_library"]
