"""Prices come from OPENAI_PRICES or genai-prices' table; an unknown model is refused, never
priced as another one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from genai_prices import Usage, calc_price
from pydantic import SecretStr

from ailp.config import Settings
from ailp.prices import UnknownModelPrice

ROOT = Path(__file__).resolve().parents[2]


def test_a_model_the_old_built_in_list_lacked_is_priced_from_the_table() -> None:
    price = Settings().model_price("gpt-4.1-nano")
    table = calc_price(
        Usage(input_tokens=1000, output_tokens=1000), "gpt-4.1-nano", provider_id="openai"
    )
    assert price["input"] > 0 and price["output"] > 0
    assert price["input"] + price["output"] == pytest.approx(float(table.total_price))


def test_an_unknown_model_is_refused_not_priced_as_gpt_3_5() -> None:
    with pytest.raises(UnknownModelPrice, match="OPENAI_PRICES"):
        Settings().model_price("acme-large-2")


def test_openai_prices_overrides_the_table_and_prices_unknown_models() -> None:
    settings = Settings(
        openai_prices={
            "gpt-4o-mini": {"input": 0.5, "output": 0.25},
            "acme-large-2": {"input": 0.01, "output": 0.02},
        }
    )
    assert settings.model_price("gpt-4o-mini") == {"input": 0.5, "output": 0.25}
    assert settings.model_price("acme-large-2") == {"input": 0.01, "output": 0.02}


def test_an_incomplete_override_is_refused() -> None:
    with pytest.raises(UnknownModelPrice, match="both 'input' and 'output'"):
        Settings(openai_prices={"acme": {"input": 0.01}}).model_price("acme")


def test_a_known_provider_url_does_not_borrow_another_providers_price() -> None:
    settings = Settings(openai_base_url="https://openrouter.ai/api/v1")
    with pytest.raises(UnknownModelPrice, match="openrouter"):
        settings.model_price("gpt-4o-mini")


def test_a_self_hosted_url_is_matched_by_model_name() -> None:
    local = Settings(openai_base_url="http://127.0.0.1:9/v1").model_price("gpt-4o-mini")
    assert local == Settings().model_price("gpt-4o-mini")


def test_the_price_check_only_applies_when_the_model_is_called() -> None:
    Settings(openai_model="acme-large-2").require_model_price()  # no key: no model calls
    with pytest.raises(UnknownModelPrice):
        Settings(openai_model="acme-large-2", openai_api_key=SecretStr("k")).require_model_price()


def _import_content_worker(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-c", "import content_worker.app"],
        cwd=ROOT,
        env={**clean, "OPENAI_API_KEY": "sk-test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_content_worker_refuses_to_start_for_a_model_without_a_price() -> None:
    refused = _import_content_worker(OPENAI_MODEL="acme-large-2")
    assert refused.returncode != 0
    assert "UnknownModelPrice" in refused.stderr and "OPENAI_PRICES" in refused.stderr
    started = _import_content_worker(
        OPENAI_MODEL="acme-large-2",
        OPENAI_PRICES='{"acme-large-2": {"input": 0.001, "output": 0.002}}',
    )
    assert started.returncode == 0, started.stderr
