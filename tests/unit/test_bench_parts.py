"""Choosing what one benchmark run does (bench/kit.py) and how the new rows are judged."""

from __future__ import annotations

import pytest

from bench import kit, load, report

KEYS = ("hello", "ceiling_select", "gateway_submit")


def test_nothing_asked_means_everything() -> None:
    selection = kit.select("", KEYS)
    assert selection.parts == frozenset(kit.PARTS)
    assert selection.scenarios == frozenset(KEYS)


def test_parts_and_aliases() -> None:
    selection = kit.select("limits,learner-model", KEYS)
    assert selection.parts == {
        kit.LIMITS,
        kit.LEARNER_BIG,
        kit.LEARNER_GROWTH,
        kit.LEARNER_BATCH,
    }
    assert not selection.scenarios
    assert kit.select("content", KEYS).parts == {kit.LIMITS, kit.BUDGET}


def test_a_scenario_key_runs_the_http_part_with_that_scenario_only() -> None:
    selection = kit.select("gateway_submit,analytics", KEYS)
    assert selection.parts == {kit.HTTP, kit.ANALYTICS}
    assert selection.scenarios == {"gateway_submit"}
    assert kit.select(" http ", KEYS).scenarios == frozenset(KEYS)


def test_only_other_parts_leaves_out_http_and_analytics() -> None:
    selection = kit.select("content,learner-model", KEYS)
    assert kit.HTTP not in selection
    assert kit.ANALYTICS not in selection
    assert kit.LIMITS in selection
    assert not selection.scenarios


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown part or scenario limit"):
        kit.select("limit", KEYS)


def _phase(**overrides):
    phase = {
        "replicas": 1,
        "rpm_limit": 600,
        "completed": 1800,
        "phase_s": 150.0,
        "jobs_per_s": 9.8,
        "jobs_per_s_whole_phase": 12.0,
        "job_run_ms_p50": 400.0,
        "job_run_ms_p99": 2000.0,
        "worker_cpu_ms_per_job": 20.0,
        "fallbacks": 0,
        "statuses_at_stop": {"succeeded": 1800, "queued": 200},
        "backlog_at_stop": 200,
        "peak_any_60s": 600,
        "first_60s": 600,
        "sustained_min_60s": 570,
        "steady_mean_per_60s": 585.0,
        "utilisation": 0.95,
        "utilisation_mean": 0.975,
        "cpu_share_percent": {"app": 30.0, "other": 5.0},
    }
    phase.update(overrides)
    return phase


def test_content_rows_judge_utilisation_and_the_peak_separately() -> None:
    verdicts: list[dict] = []
    rows = report.content_rows(
        {"limits_1": _phase(), "limits_2": _phase(replicas=2, peak_any_60s=601)}, verdicts
    )
    by_check = {v["check"]: v["pass"] for v in verdicts}
    assert by_check == {
        "content_limits_1_utilisation": True,
        "content_limits_1_peak_60s": True,
        "content_limits_2_utilisation": True,
        "content_limits_2_peak_60s": False,
    }
    assert rows[0].ratio == "98%"  # the mean of the windows from 60 s on: the rate kept up
    assert rows[0].rps == "9.8 jobs/s"
    assert rows[2].ratio == "95%"  # the quietest of those windows, for information
    assert rows[3].ratio == "100%"  # the first 60 s: the start-up burst, not judged
    assert rows[5].ratio == "601/600"
    assert rows[5].verdict == "FAIL"


def test_the_start_up_burst_does_not_make_a_slack_steady_state_pass() -> None:
    verdicts: list[dict] = []
    rows = report.content_rows(
        {"limits_1": _phase(sustained_min_60s=450, utilisation=0.75, utilisation_mean=0.75)},
        verdicts,
    )
    assert verdicts[0]["pass"] is False
    assert rows[0].ratio == "75%"
    assert rows[0].verdict == "FAIL"


def test_a_phase_without_a_steady_window_or_backlog_says_why() -> None:
    verdicts: list[dict] = []
    rows = report.content_rows(
        {
            "limits_1": _phase(
                sustained_min_60s=None, utilisation=None, utilisation_mean=None, jobs_per_s=None
            ),
            "limits_2": _phase(
                replicas=2, utilisation=0.5, utilisation_mean=0.5, backlog_at_stop=0
            ),
        },
        verdicts,
    )
    assert rows[0].ratio == "n/a"
    assert rows[0].rps == ""
    assert rows[0].verdict.startswith("FAIL (no full 60 s window")
    assert rows[4].verdict == "FAIL (backlog ran out: more jobs needed)"


def test_low_utilisation_or_fallbacks_fail_and_noise_is_marked() -> None:
    verdicts: list[dict] = []
    rows = report.content_rows(
        {
            "limits_1": _phase(
                utilisation=0.8, utilisation_mean=0.85, cpu_share_percent={"other": 40.0}
            ),
            "limits_2": _phase(replicas=2, fallbacks=3),
        },
        verdicts,
    )
    assert rows[0].verdict == "FAIL (noisy)"
    assert rows[4].verdict == "FAIL (fallbacks)"


def test_budget_overshoot_within_one_call_passes() -> None:
    budget = {
        "budget_usd": 0.1,
        "jobs": 60,
        "finished": 60,
        "statuses": {"succeeded": 60},
        "spend_log_usd": 0.105,
        "spend_rows_usd": 0.105,
        "overshoot_usd": 0.005,
        "max_call_usd": 0.013,
        "unused_budget_usd": 0.0,
        "model_pieces": 8,
        "budget_notices": 52,
        "cpu_share_percent": {},
    }
    verdicts: list[dict] = []
    rows = report.content_rows({"budget": budget}, verdicts)
    assert verdicts == [
        {
            "check": "content_budget_overshoot",
            "overshoot_usd": 0.005,
            "max_overshoot_usd": 0.013,
            "noisy": False,
            "pass": True,
        }
    ]
    assert rows[0].ratio == "+$0.0050"
    verdicts.clear()
    report.content_rows({"budget": {**budget, "overshoot_usd": 0.02}}, verdicts)
    assert verdicts[0]["pass"] is False


def _job(worker_ms: float, status: str = "succeeded") -> dict:
    return {
        "status": status,
        "worker_ms": worker_ms,
        "started_to_visible_ms": worker_ms + 20,
        "worker_cpu_ms": worker_ms * 0.9,
        "cpu_share_percent": {},
    }


def test_learner_rows_apply_the_one_second_target_to_each_job() -> None:
    learner = {
        "settings": {"batch_responses": 100},
        "big": {
            "responses": 100_000,
            "concepts": 300,
            "sessions": 10_000,
            "new_responses": 100,
            "jobs": {"cold": _job(3200.0), "warm": _job(150.0), "plus_new": _job(180.0)},
        },
        "growth": [
            {
                "responses": 100,
                "concepts": 30,
                "sessions": 10,
                "cold": _job(20.0),
                "warm": _job(15.0),
            }
        ],
        "batch": {
            "jobs": 10_001,
            "succeeded": 10_001,
            "failed": 0,
            "timed_out": False,
            "learners_per_s": 210.0,
            "wall_learners_per_s": 180.0,
            "wall_s": 55.0,
            "app_cpu_ms_per_learner": 7.0,
            "postgres_cpu_ms_per_learner": 2.5,
            "quiet_estimate_learners_per_s": 210.0,
            "cpu_share_percent": {},
        },
    }
    verdicts: list[dict] = []
    report.learner_rows(learner, verdicts)
    assert {v["check"]: v["pass"] for v in verdicts} == {
        "learner_big_cold_ms": False,
        "learner_big_warm_ms": True,
        "learner_big_plus_new_ms": True,
        "learner_batch_learners_per_s": True,
    }
    table = report.render_growth(learner)
    assert "100,000" in table and "3,200" in table
    assert report.part_failures(None, learner) == 0
    learner["big"]["jobs"]["warm"] = _job(150.0, status="queued")
    assert report.part_failures(None, learner) == 1


def test_a_batch_stopped_at_the_time_bound_is_judged_on_what_it_finished() -> None:
    batch = {
        "jobs": 10_001,
        "succeeded": 6_000,
        "failed": 0,
        "timed_out": True,
        "learners_per_s": 50.0,
        "wall_learners_per_s": 50.0,
        "wall_s": 120.0,
        "app_cpu_ms_per_learner": 11.0,
        "postgres_cpu_ms_per_learner": 3.7,
        "quiet_estimate_learners_per_s": 136.0,
        "cpu_share_percent": {"other": 60.0},
    }
    learner = {"settings": {"batch_responses": 100}, "batch": batch}
    verdicts: list[dict] = []
    rows = report.learner_rows(learner, verdicts)
    assert rows[0].errors == "0"
    assert rows[0].verdict == "FAIL (noisy) (partial: 6,000 done)"
    assert report.part_failures(None, learner) == 0
    batch["timed_out"] = False
    assert report.part_failures(None, learner) == 4_001


def _scenario(key: str, rps: float, cpu: dict | None = None):
    result = load.WrkResult(
        requests=int(rps * 10),
        duration_s=10.0,
        rps=rps,
        latency_avg_ms=10.0,
        latency_stdev_ms=5.0,
        latency_max_ms=90.0,
        percentiles_ms={"50": 9.0, "75": 12.0, "90": 20.0, "99": 60.0},
    )
    return load.ScenarioResult(key=key, label=key, result=result, cpu=cpu or {})


def test_a_gateway_row_without_its_ceiling_is_information_not_a_failure() -> None:
    rows, verdicts = report.evaluate(
        {"gateway_get_job": _scenario("gateway_get_job", 3000)}, None, None
    )
    assert rows[0].ratio == "n/a"
    assert rows[0].verdict == ""
    assert "not run" in rows[0].target
    assert verdicts == []
    rows, verdicts = report.evaluate(
        {
            "ceiling_select": _scenario("ceiling_select", 4000),
            "gateway_get_job": _scenario("gateway_get_job", 3000, {"other": 30.0}),
        },
        None,
        None,
    )
    assert rows[1].ratio == "75%"
    assert rows[1].verdict == "PASS (noisy)"
    assert verdicts[0]["pass"] is True


def test_growth_runs_only_when_asked_for() -> None:
    assert kit.GROWTH not in kit.select("", KEYS)
    assert kit.select("growth", KEYS).parts == {kit.GROWTH}


def test_growth_verdicts_compare_grown_with_empty() -> None:
    from bench import growth

    def phase(rps: float, p99: float, stats_ms: float, sweep_ms: float) -> dict[str, object]:
        http = {key: {"label": key, "rps": rps, "p99_ms": p99, "errors": 0} for key in growth.HOT}
        return {"http": http, "admin_stats": {"p50_ms": stats_ms}, "sweep": {"p50_ms": sweep_ms}}

    kept = growth.verdicts({"empty": phase(1000, 50, 5, 2), "grown": phase(850, 60, 150, 30)})
    assert all(v["pass"] for v in kept)
    slower = growth.verdicts({"empty": phase(1000, 50, 5, 2), "grown": phase(700, 70, 250, 80)})
    assert not any(v["pass"] for v in slower)
