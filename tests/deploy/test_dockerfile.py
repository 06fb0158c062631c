"""One multi-target Dockerfile for the Python services: compose and Kubernetes refer to its
targets, each target runs a service `ailp stack run` knows (the command `make up` runs), and no
per-service Python Dockerfile is left. hadolint checks it when installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ailp.devstack.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def stages() -> dict[str, str]:
    """Each stage's name and its instructions."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    parts = re.split(r"^FROM \S+ AS (\S+)\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_service_is_a_target_that_runs_it_through_ailp_stack_run() -> None:
    found = stages()
    assert '\nENTRYPOINT ["ailp", "stack", "run"]\n' in found["runtime"]
    for service in SERVICES:
        assert f'\nCMD ["{service}"]' in found[service], service
        assert "USER" not in found[service] and "HEALTHCHECK" in found[service], service
    assert "USER 10001:10001" in found["runtime"]
    assert list(found)[-1] == "gateway"  # a plain `docker build .` builds the gateway


def test_only_the_web_app_keeps_a_dockerfile_of_its_own() -> None:
    assert sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("services/*/Dockerfile")) == [
        "services/web/Dockerfile"
    ]


def test_compose_builds_the_targets() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    targets = set(stages())
    for name, service in compose["services"].items():
        build = service.get("build")
        if build is None or build["context"] != ".":
            continue
        assert "dockerfile" not in build and build["target"] in targets, name
        assert service["image"].startswith(f"ailp-{build['target']}:"), name


def test_kubernetes_images_are_targets() -> None:
    kustomization = yaml.safe_load((ROOT / "deploy/k8s/kustomization.yaml").read_text())
    targets = set(stages())
    for image in kustomization["images"]:
        name = image["name"]
        if name.startswith("ailp-") and name != "ailp-web":
            assert name.removeprefix("ailp-") in targets, name
    used = set()
    for path in (ROOT / "deploy/k8s").glob("*.yaml"):
        used |= set(re.findall(r"image: (ailp-[a-z-]+)", path.read_text(encoding="utf-8")))
    assert used <= {image["name"] for image in kustomization["images"]}


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint not installed")
def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint")
    assert hadolint is not None
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
