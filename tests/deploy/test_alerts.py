"""The alert rules (deploy/prometheus/alerts.yml) pass their unit tests under promtool, every
alert has a test that shows it firing, and the tests notice a broken threshold."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")

needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool not installed (Debian package `prometheus`; deploy/scripts/test.sh installs it)",
)


def _promtool(*args: str, cwd: Path = PROMETHEUS_DIR) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _alert_names() -> set[str]:
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8"))
    return {
        rule["alert"] for group in rules["groups"] for rule in group["rules"] if "alert" in rule
    }


@needs_promtool
def test_rules_and_config_are_valid() -> None:
    checked = _promtool("check", "rules", "alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = _promtool("check", "config", "prometheus.yml")
    assert config.returncode == 0, config.stdout + config.stderr


@needs_promtool
def test_alert_unit_tests_pass() -> None:
    result = _promtool("test", "rules", "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_shown_firing_in_a_test() -> None:
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts.test.yml").read_text(encoding="utf-8"))
    firing = {
        case["alertname"]
        for test in tests["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert _alert_names() - firing == set()


@needs_promtool
def test_the_unit_tests_catch_a_wrong_threshold(tmp_path: Path) -> None:
    """Loosen the p99 threshold from 200 ms to 2 s: the latency test must fail."""
    rules = (PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8")
    assert "\n          ) > 0.2\n" in rules
    (tmp_path / "alerts.yml").write_text(
        rules.replace("\n          ) > 0.2\n", "\n          ) > 2\n")
    )
    shutil.copy(PROMETHEUS_DIR / "alerts.test.yml", tmp_path / "alerts.test.yml")
    result = _promtool("test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "ApiLatencyP99High" in result.stdout + result.stderr
