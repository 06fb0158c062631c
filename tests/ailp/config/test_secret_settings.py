"""Defect 2: no running stack signs tokens with a secret that is short, missing or published.

Before the fix, Settings fell back to a development secret kept in the repository, and only
ENVIRONMENT=production refused exactly that one value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from ailp.config import Settings
from ailp.secret_policy import PLACEHOLDER_SECRETS, InsecureSecret, key_id

REPO_ROOT = Path(__file__).resolve().parents[3]
GOOD = "Zq8Kx1Lw7Rb4Tn2Vm5Yc0Hd9Pf3Sj6Ga8Ue1Oi4"
NOT_TEST = ["development", "production"]


def _k8s_template_secret() -> str:
    text = (REPO_ROOT / "deploy/k8s/secret.template.yaml").read_text()
    match = re.search(r"^\s*JWT_SECRET:\s*(\S+)\s*(?:#.*)?$", text, re.MULTILINE)
    assert match, "the template no longer names JWT_SECRET"
    return match.group(1)


@pytest.mark.parametrize("environment", NOT_TEST)
def test_a_missing_secret_is_refused_outside_tests(environment: str) -> None:
    with pytest.raises(InsecureSecret, match="JWT_SECRET is not set"):
        Settings(environment=environment, jwt_secret=SecretStr("")).refuse_weak_secrets()


@pytest.mark.parametrize("environment", NOT_TEST)
def test_a_secret_under_32_characters_is_refused(environment: str) -> None:
    with pytest.raises(InsecureSecret, match="31 characters"):
        Settings(environment=environment, jwt_secret=SecretStr(GOOD[:31])).refuse_weak_secrets()
    assert Settings(environment=environment, jwt_secret=SecretStr(GOOD[:32])).refuse_weak_secrets()


@pytest.mark.parametrize("environment", NOT_TEST)
@pytest.mark.parametrize(
    "placeholder",
    [
        *sorted(PLACEHOLDER_SECRETS),
        "dev-only-secret-change-me-in-production-0123456789",  # the old built-in default
        "change-me-change-me-change-me-change-me",
        "CHANGEME_please_use_a_real_secret_0123456",
        "your-secret-key-here-0123456789abcdefghij",
        "x" * 64,
    ],
)
def test_documented_placeholders_are_refused(environment: str, placeholder: str) -> None:
    with pytest.raises(InsecureSecret) as refused:
        Settings(environment=environment, jwt_secret=SecretStr(placeholder)).refuse_weak_secrets()
    assert placeholder not in str(refused.value)  # the message never repeats the value


@pytest.mark.parametrize("environment", NOT_TEST)
def test_the_kubernetes_template_placeholder_is_refused(environment: str) -> None:
    with pytest.raises(InsecureSecret, match="placeholder"):
        Settings(
            environment=environment, jwt_secret=SecretStr(_k8s_template_secret())
        ).refuse_weak_secrets()


def test_the_previous_secret_obeys_the_same_rules() -> None:
    with pytest.raises(InsecureSecret, match="JWT_SECRET_PREVIOUS"):
        Settings(
            environment="production",
            jwt_secret=SecretStr(GOOD),
            jwt_secret_previous=SecretStr("short"),
        ).refuse_weak_secrets()


def test_the_test_environment_makes_up_a_random_secret_of_its_own() -> None:
    first = Settings(environment="test", jwt_secret=SecretStr("")).jwt_secret.get_secret_value()
    second = Settings(environment="test", jwt_secret=SecretStr("")).jwt_secret.get_secret_value()
    assert len(first) >= 32 and first != second


def test_the_code_holds_no_usable_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "development")
    with pytest.raises(InsecureSecret):
        Settings(_env_file=None).refuse_weak_secrets()  # type: ignore[call-arg]


def test_a_key_id_names_the_secret_without_revealing_it() -> None:
    kid = key_id(GOOD)
    assert re.fullmatch(r"[0-9a-f]{8}", kid) and kid not in GOOD
    assert key_id(GOOD) == kid != key_id(GOOD[::-1])


@pytest.mark.parametrize("value", ["*", "0.0.0.0/0", "::/0", "10.0.0.0/8,*", "not-an-address"])
def test_trusted_proxies_never_trust_everyone(value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(trusted_proxies=value)


def test_env_example_and_compose_carry_no_usable_secret() -> None:
    example = (REPO_ROOT / ".env.example").read_text()
    for line in example.splitlines():
        if line.startswith("JWT_SECRET=") or line.startswith("JWT_SECRET_PREVIOUS="):
            assert line.split("=", 1)[1].strip() == "", line
