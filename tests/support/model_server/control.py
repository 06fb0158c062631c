"""A client for the /_control API of a running model server."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx


class ModelServerControl:
    """Client for the ``/_control`` API of a running model server (``root_url`` = server root)."""

    def __init__(self, root_url: str, timeout: float = 10.0) -> None:
        self.root_url = root_url.rstrip("/")
        self._http = httpx.Client(base_url=self.root_url, timeout=timeout)

    def _post(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        response = self._http.post(path, json=dict(payload))
        if response.status_code >= 400:
            raise ValueError(f"{path}: {response.status_code} {response.text}")
        return dict(response.json())

    def script(self, *steps: Mapping[str, Any]) -> int:
        """Append steps (``{"mode": "429", "count": 3, ...}``); returns queued units."""
        return int(self._post("/_control/script", {"steps": [dict(s) for s in steps]})["queued"])

    def set_default(self, **behaviour: Any) -> None:
        self._post("/_control/default", behaviour)

    def add_rule(self, match: str, **behaviour: Any) -> None:
        self._post("/_control/rules", {"match": match, **behaviour})

    def hold(self, seconds: float) -> str:
        """A fresh concept whose calls answer only after `seconds` (so its jobs stay unfinished
        that long); every prompt that contains it is held, e.g. f"{concept} {i}"."""
        concept = f"hold-{uuid.uuid4().hex[:10]}"
        self.add_rule(concept, mode="slow", delay=seconds)
        return concept

    def reset(self) -> None:
        self._post("/_control/reset", {})

    def requests(self, since: float | None = None, *, brief: bool = False) -> list[dict[str, Any]]:
        """The request log (oldest first); `brief` leaves each request's messages out."""
        params = {"since": repr(since)} if since is not None else {}
        if brief:
            params["brief"] = "1"
        response = self._http.get("/_control/requests", params=params or None)
        response.raise_for_status()
        return list(response.json()["requests"])

    def state(self) -> dict[str, Any]:
        response = self._http.get("/_control/state")
        response.raise_for_status()
        return dict(response.json())

    def healthy(self) -> bool:
        try:
            return self._http.get("/_control/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._http.close()
