"""Write deploy/k8s/monitoring.yaml's PrometheusRule from deploy/prometheus/alerts.yml.

`uv run python -m tests.deploy.render_rules` after editing the alerts; test_k8s checks the two
agree. The ServiceMonitor above the marker line is kept as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
MONITORING = ROOT / "deploy" / "k8s" / "monitoring.yaml"
MARKER = "# GENERATED from deploy/prometheus/alerts.yml"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    )


_Dumper.add_representer(str, _str)


def prometheus_rule() -> dict[str, Any]:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "ailp", "labels": {"release": "kube-prometheus-stack"}},
        "spec": {"groups": groups},
    }


def render() -> str:
    text = MONITORING.read_text(encoding="utf-8")
    head = text[: text.index(MARKER)]
    body = yaml.dump(
        prometheus_rule(), Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True
    )
    return (
        head
        + MARKER
        + " (tests/deploy/test_k8s.py fails when they differ):\n"
        + "# edit that file, then run `uv run python -m tests.deploy.render_rules`.\n"
        + body
    )


if __name__ == "__main__":
    MONITORING.write_text(render(), encoding="utf-8")
    print(f"wrote {MONITORING.relative_to(ROOT)}")
