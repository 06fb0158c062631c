"""OWASP API6:2023 Unrestricted Access to Sensitive Business Flows.

The flows that cost the platform money or capacity are metered per user: job submissions per
minute and unfinished jobs per user (429 + Retry-After), and accounts per client address (so the
per-user meters cannot be multiplied with free accounts; see API4). The per-user daily AI
allowance (OPENAI_USER_DAILY_BUDGET_USD) belongs to the content worker; its test joins this
module with that work.
"""

from __future__ import annotations

from tests.integration.conftest import SETTINGS as INTEGRATION_SETTINGS
from tests.support.api import Api, assert_problem

SUBMISSIONS_PER_MINUTE = int(INTEGRATION_SETTINGS["JOB_SUBMISSIONS_PER_MINUTE"])
MAX_UNFINISHED = int(INTEGRATION_SETTINGS["MAX_QUEUED_JOBS_PER_USER"])


def test_job_submissions_are_metered_per_user(api: Api, attacker: Api) -> None:
    learner = api.create_learner()
    accepted = 0
    refused = None
    for _ in range(SUBMISSIONS_PER_MINUTE + 1):
        response = api.submit_analytics(learner["id"])
        if response.status_code == 429:
            refused = response
            break
        assert response.status_code == 202, response.text
        accepted += 1
    assert refused is not None, "no limit reached"
    assert accepted <= SUBMISSIONS_PER_MINUTE
    assert int(refused.headers["Retry-After"]) >= 1
    assert_problem(refused, 429)
    # Another user's flow is untouched.
    other = attacker.create_learner()
    assert attacker.submit_analytics(other["id"]).status_code == 202


def test_unfinished_jobs_per_user_are_capped(api: Api, model_server: object) -> None:
    from tests.support.model_server import ModelServerProcess

    assert isinstance(model_server, ModelServerProcess)
    model_server.control.set_default(mode="slow", delay=5)
    learner = api.create_learner()
    statuses = [
        api.submit_content(learner["id"], concept=f"held {n}").status_code
        for n in range(MAX_UNFINISHED + 1)
    ]
    assert statuses[:MAX_UNFINISHED] == [202] * MAX_UNFINISHED
    assert statuses[MAX_UNFINISHED] == 429
