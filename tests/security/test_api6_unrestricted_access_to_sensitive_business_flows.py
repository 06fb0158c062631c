"""OWASP API6:2023 Unrestricted Access to Sensitive Business Flows.

The flows that cost the platform money or capacity are metered per user: job submissions per
minute and unfinished jobs per user (429 + Retry-After), accounts per client address (so the
per-user meters cannot be multiplied with free accounts; see API4), and model spend per user per
UTC day (`OPENAI_USER_DAILY_BUDGET_USD`): past it, that user's content falls back with a notice
saying when the allowance renews, while everyone else goes on getting model content.
"""

from __future__ import annotations

import json

from tests.integration.conftest import SETTINGS as INTEGRATION_SETTINGS
from tests.support.api import Api, assert_problem
from tests.support.model_server import ModelServerProcess
from tests.support.processes import Stack

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


def test_one_users_daily_allowance_does_not_stop_the_others(
    make_stack, model_server: ModelServerProcess
) -> None:
    """Issue 10 (4): one user could spend the whole platform's model budget."""
    stack: Stack = make_stack(
        extra_env={
            "OPENAI_USER_DAILY_BUDGET_USD": "0.06",
            "OPENAI_PRICES": json.dumps({"gpt-4o-mini": {"input": 0.01, "output": 0.01}}),
        }
    )
    stack.start()
    greedy = Api(stack.base_url).new_user()
    greedy_learner = greedy.create_learner()
    results = []
    for i in range(10):  # each call reserves about $0.03 and costs less: a few fit
        job = greedy.wait_job(
            greedy.submit_content(greedy_learner["id"], concept=f"Mine {i}").json()["id"]
        )
        results.append(job["result"])
        if job["result"]["source"] == "fallback":
            break
    assert results[0]["source"] == "openai" and results[-1]["source"] == "fallback"
    notice = results[-1]["notice"]
    assert "allowance" in notice and "UTC" in notice
    assert sum(result["usage"]["cost_usd"] for result in results) <= 0.06
    other = Api(stack.base_url).new_user()
    other_learner = other.create_learner()
    job = other.wait_job(other.submit_content(other_learner["id"], concept="Theirs").json()["id"])
    assert job["result"]["source"] == "openai"
