"""Which BKT parameters each concept uses: the newest fitted version's, else the defaults.

Each analytics process keeps the newest version in memory and looks for a newer one at most
every `LEARNER_MODEL_REFRESH_SECONDS` (one indexed query), or at once when it meets a stored
state folded with a version newer than the one it holds (another process has moved on).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ailp.learner_model import store
from ailp.learner_model.params import DEFAULT_PARAMETERS, BktParameters


@dataclass(frozen=True, slots=True)
class ConceptParameters:
    values: BktParameters
    version: int | None  # the fitted version they come from; None: the defaults


DEFAULT = ConceptParameters(DEFAULT_PARAMETERS, None)


@dataclass(frozen=True)
class ParameterSet:
    """One version's fitted concepts (version None: nothing fitted yet)."""

    version: int | None = None
    fitted: Mapping[str, BktParameters] = field(default_factory=dict)

    def __call__(self, concept: str) -> ConceptParameters:
        values = self.fitted.get(concept)
        return DEFAULT if values is None else ConceptParameters(values, self.version)


class ParameterCache:
    def __init__(self, refresh_seconds: float) -> None:
        self.refresh_seconds = refresh_seconds
        self._current = ParameterSet()
        self._checked_at = -float("inf")
        self._lock = threading.Lock()

    def current(self, session: Session, *, seen_version: int | None = None) -> ParameterSet:
        """The newest version, re-checked when the cache is old or `seen_version` is newer."""
        now = time.monotonic()
        held = self._current
        newer_seen = seen_version is not None and (held.version or 0) < seen_version
        if not newer_seen and now - self._checked_at < self.refresh_seconds:
            return held
        with self._lock:
            newest = store.newest_version_id(session)
            if newest != self._current.version:
                fitted = store.concept_parameters(session, newest) if newest is not None else {}
                self._current = ParameterSet(newest, fitted)
            self._checked_at = now
            return self._current
