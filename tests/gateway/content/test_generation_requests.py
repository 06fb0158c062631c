"""Content generation requests the gateway refuses before any job exists. Moved from
tests/integration/test_content.py, which keeps what the content worker writes."""

from __future__ import annotations

from tests.support.api import Api


def test_invalid_generation_requests(api: Api, learner: dict) -> None:
    path = f"/api/learners/{learner['id']}/generate-content"
    for body in [
        {"concept": "", "content_type": "lesson"},
        {"concept": "   ", "content_type": "lesson"},
        {"concept": "x" * 201, "content_type": "lesson"},
        {"concept": "tab\tinside", "content_type": "lesson"},
        {"concept": "ok", "content_type": "poem"},
        {"concept": "ok", "content_type": "lesson", "fresh": "yes"},
        {"concept": "ok", "content_type": "lesson", "model": "gpt-9"},
        {"content_type": "lesson"},
    ]:
        response = api.http.post(path, json=body)
        assert response.status_code == 422, (body, response.text)
    assert (
        api.http.post(
            path, json={"concept": "  " + "y" * 200 + "  ", "content_type": "lesson"}
        ).status_code
        == 202
    )
    assert api.http.get("/api/content/not-a-uuid").status_code == 422
    assert api.http.get("/api/content/00000000-0000-0000-0000-000000000000").status_code == 404
