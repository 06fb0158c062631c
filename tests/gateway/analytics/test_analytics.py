"""Analytics before any job: the latest figures are a 404. Moved from
tests/integration/test_analytics.py, which keeps what the analytics worker computes."""

from __future__ import annotations

from tests.support.api import Api


def test_latest_analytics_is_404_before_any_job(api: Api, learner: dict) -> None:
    response = api.http.get(f"/api/learners/{learner['id']}/analytics")
    assert response.status_code == 404
    assert "POST" in response.json()["detail"]
