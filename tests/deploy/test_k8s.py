"""deploy/k8s: `kubectl kustomize` builds it; every object validates strictly against its schema
(Kubernetes' own via kubernetes-validate; KEDA's and prometheus-operator's via models generated
from their CRDs, made strict); and the choices the issue asks for hold: queue-driven KEDA
scaling, a readiness that ignores Redis, migrations before the Deployments, PgBouncer sized
against max_connections, TLS, NetworkPolicies, monitoring objects that match alerts.yml."""

from __future__ import annotations

import configparser
import copy
import inspect
import ipaddress
import shutil
import subprocess
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pydantic
import pytest
import yaml

from tests.deploy.render_rules import prometheus_rule

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBECTL = shutil.which("kubectl")
KUBERNETES_VERSION = "1.30"
POSTGRES_MAX_CONNECTIONS = 100  # PostgreSQL's default
POSTGRES_KEPT_FREE = 13  # superuser_reserved_connections (3) + migrations, backups, psql, exporter

pytestmark = pytest.mark.skipif(
    KUBECTL is None, reason="kubectl not installed (deploy/scripts/test.sh installs it)"
)


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    assert KUBECTL is not None
    built = subprocess.run(
        [KUBECTL, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120, check=True
    )
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}"
    return matches[0]


@cache
def crd_models() -> dict[tuple[str, str], type[pydantic.BaseModel]]:
    """KEDA and prometheus-operator models (cloudcoil, generated from the CRDs), made strict:
    an unknown or misspelt field is an error, as with kubernetes-validate --strict."""
    from cloudcoil import apimachinery
    from cloudcoil.models.keda import v1alpha1 as keda
    from cloudcoil.models.prometheus_operator import v1 as monitoring

    for module in (apimachinery, keda, monitoring):
        _forbid_extra(module)
    return {
        ("keda.sh/v1alpha1", "ScaledObject"): keda.ScaledObject,
        ("keda.sh/v1alpha1", "TriggerAuthentication"): keda.TriggerAuthentication,
        ("monitoring.coreos.com/v1", "ServiceMonitor"): monitoring.ServiceMonitor,
        ("monitoring.coreos.com/v1", "PrometheusRule"): monitoring.PrometheusRule,
    }


def _forbid_extra(module: ModuleType) -> None:
    models = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, pydantic.BaseModel)
        and obj.__module__ == module.__name__
    ]
    for model in models:
        model.model_config["extra"] = "forbid"
    for model in models:
        model.model_rebuild(force=True)


def validate(obj: dict[str, Any]) -> None:
    model = crd_models().get((obj["apiVersion"], obj["kind"]))
    if model is not None:
        model.model_validate(obj)
    else:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_every_object_validates_strictly(objects: list[dict[str, Any]]) -> None:
    errors = []
    for obj in objects:
        try:
            validate(obj)
        except (kubernetes_validate.ValidationError, pydantic.ValidationError) as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc}")
    assert errors == []
    kinds = {obj["kind"] for obj in objects}
    assert {"ScaledObject", "ServiceMonitor", "PrometheusRule", "Ingress", "NetworkPolicy"} <= kinds


@pytest.mark.parametrize(
    ("kind", "name", "path", "typo"),
    [
        ("Deployment", "gateway", ["spec"], "replica"),
        ("ScaledObject", "content-worker", ["spec"], "maxReplicas"),
        ("ServiceMonitor", "ailp", ["spec", "endpoints", 0], "intervall"),
    ],
)
def test_validation_catches_a_misspelt_field(
    objects: list[dict[str, Any]], kind: str, name: str, path: list[Any], typo: str
) -> None:
    broken = copy.deepcopy(find(objects, kind, name))
    node = broken
    for key in path:
        node = node[key]
    node[typo] = 3
    with pytest.raises((kubernetes_validate.ValidationError, pydantic.ValidationError)):
        validate(broken)


def _pod(obj: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = obj["spec"]["template"]["spec"]
    return pod


def test_workers_scale_on_their_queues_with_keda(objects: list[dict[str, Any]]) -> None:
    for worker, queue in [("content-worker", "content"), ("analytics-worker", "analytics")]:
        scaled = find(objects, "ScaledObject", worker)
        assert scaled["spec"]["scaleTargetRef"]["name"] == worker
        (trigger,) = scaled["spec"]["triggers"]
        assert trigger["type"] == "redis" and trigger["metadata"]["listName"] == queue
    hpas = [
        o["spec"]["scaleTargetRef"]["name"]
        for o in objects
        if o["kind"] == "HorizontalPodAutoscaler"
    ]
    assert hpas == ["gateway"]  # KEDA owns the workers' HPAs; two autoscalers would fight


def test_gateway_readiness_ignores_redis(objects: list[dict[str, Any]]) -> None:
    (container,) = _pod(find(objects, "Deployment", "gateway"))["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/health/live"


def test_every_release_pod_waits_for_its_schema(objects: list[dict[str, Any]]) -> None:
    for name in ["gateway", "content-worker", "analytics-worker", "sweeper"]:
        (init,) = _pod(find(objects, "Deployment", name))["initContainers"]
        assert "ailp migrate --check" in " ".join(init["command"]), name
    job = find(objects, "Job", "ailp-migrate")
    (container,) = _pod(job)["containers"]
    assert container["args"] == ["migrate"]
    direct = [e for e in container["env"] if e["name"] == "DATABASE_URL"]
    assert direct[0]["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_URL_DIRECT"


def test_sweeper_is_probed_and_scraped(objects: list[dict[str, Any]]) -> None:
    (container,) = _pod(find(objects, "Deployment", "sweeper"))["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert container["ports"] == [{"name": "metrics", "containerPort": 9103}]
    assert find(objects, "Service", "sweeper-metrics")["spec"]["ports"][0]["port"] == 9103


def _config(objects: list[dict[str, Any]]) -> dict[str, str]:
    data: dict[str, str] = find(objects, "ConfigMap", "ailp-config")["data"]
    return data


def test_trusted_proxies_is_a_cidr_not_everyone(objects: list[dict[str, Any]]) -> None:
    trusted = _config(objects)["TRUSTED_PROXIES"]
    assert "*" not in trusted
    for cidr in trusted.split(","):
        ipaddress.ip_network(cidr.strip())
    assert "FORWARDED_ALLOW_IPS" not in _config(objects)


def connection_budget(objects: list[dict[str, Any]]) -> dict[str, int]:
    """Client connections at the autoscalers' maxima, and PgBouncer's server connections."""
    config = _config(objects)
    pool = int(config["DB_POOL_SIZE"])
    overflow = int(config["DB_MAX_OVERFLOW"])
    gateway_max = find(objects, "HorizontalPodAutoscaler", "gateway")["spec"]["maxReplicas"]
    content_max = find(objects, "ScaledObject", "content-worker")["spec"]["maxReplicaCount"]
    analytics_max = find(objects, "ScaledObject", "analytics-worker")["spec"]["maxReplicaCount"]
    sweepers = find(objects, "Deployment", "sweeper")["spec"]["replicas"]
    content_pool = min(int(config["CONTENT_WORKER_CONCURRENCY"]) + 4, 12)  # content_worker.app
    processes = int(config["ANALYTICS_WORKER_CONCURRENCY"]) + 1  # prefork children + parent
    clients = {
        "gateway": gateway_max * int(config["WEB_CONCURRENCY"]) * pool,  # asyncpg: max_size
        "content-worker": content_max * (content_pool + overflow),
        "analytics-worker": analytics_max * processes * (pool + overflow),
        "sweeper": sweepers * (pool + overflow),
    }
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
    ini.read_string(find(objects, "ConfigMap", "pgbouncer-config")["data"]["pgbouncer.ini"])
    bouncer = ini["pgbouncer"]
    replicas = find(objects, "Deployment", "pgbouncer")["spec"]["replicas"]
    return {
        **clients,
        "clients": sum(clients.values()),
        "max_client_conn": int(bouncer["max_client_conn"]),
        "servers": replicas * int(bouncer["max_db_connections"]),
        "pool_mode_transaction": int(bouncer["pool_mode"] == "transaction"),
    }


def test_pgbouncer_keeps_postgres_under_max_connections(objects: list[dict[str, Any]]) -> None:
    budget = connection_budget(objects)
    assert budget["pool_mode_transaction"] == 1
    assert budget["clients"] <= budget["max_client_conn"]
    assert budget["servers"] <= POSTGRES_MAX_CONNECTIONS - POSTGRES_KEPT_FREE
    assert _config(objects)["DB_STATEMENT_CACHE_SIZE"] == "0"
    readme = (K8S / "README.md").read_text(encoding="utf-8")
    assert f"= {budget['clients']} client connections" in readme
    assert f"= {budget['servers']} server connections" in readme


def test_ingress_serves_https_and_never_metrics(objects: list[dict[str, Any]]) -> None:
    ingress = find(objects, "Ingress", "ailp")
    assert "cert-manager.io/cluster-issuer" in ingress["metadata"]["annotations"]
    assert ingress["spec"]["tls"][0]["secretName"]
    paths = [p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert "/api" in paths and "/" in paths
    assert not any(path.startswith("/metrics") for path in paths)


def test_network_policies_default_deny_and_metrics_from_monitoring(
    objects: list[dict[str, Any]],
) -> None:
    deny = find(objects, "NetworkPolicy", "default-deny-ingress")
    assert deny["spec"]["podSelector"] == {} and "ingress" not in deny["spec"]
    metrics = find(objects, "NetworkPolicy", "metrics-from-monitoring")
    sources = metrics["spec"]["ingress"][0]["from"]
    assert sources == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]
    web = find(objects, "Deployment", "web")
    assert _pod(web)["containers"][0]["image"].endswith("/web:0.1.0")


def test_prometheus_rule_matches_alerts_yml(objects: list[dict[str, Any]]) -> None:
    rule = find(objects, "PrometheusRule", "ailp")
    assert rule["spec"] == prometheus_rule()["spec"], (
        "deploy/k8s/monitoring.yaml is stale: uv run python -m tests.deploy.render_rules"
    )
    monitor = find(objects, "ServiceMonitor", "ailp")
    assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/name"
