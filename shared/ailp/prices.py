"""What a model call costs: the operator's OPENAI_PRICES first, then genai-prices' table.

The budget is only as good as the price it multiplies, so a model nobody can price is an error
(`UnknownModelPrice`), never a guess: the content worker refuses to start with it
(`Settings.require_model_price`). genai-prices (pydantic's maintained table of provider prices)
ships its data inside the package and is read offline; it is not updated at run time, so a price
changes with a dependency upgrade or with OPENAI_PRICES, not behind the operator's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TypedDict

PRICE_PROBE_TOKENS = 1000
DEFAULT_PROVIDER = "openai"


class ModelPrice(TypedDict):
    """USD per 1,000 tokens."""

    input: float
    output: float


class UnknownModelPrice(ValueError):
    """No price for the model: neither OPENAI_PRICES nor the maintained table has it."""


def price_of(
    model: str, *, overrides: Mapping[str, Mapping[str, float]], base_url: str | None
) -> ModelPrice:
    """The model's price: OPENAI_PRICES wins, then genai-prices for the provider at `base_url`."""
    override = overrides.get(model)
    if override is not None:
        try:
            return ModelPrice(input=float(override["input"]), output=float(override["output"]))
        except KeyError as exc:
            raise UnknownModelPrice(
                f"OPENAI_PRICES[{model!r}] needs both 'input' and 'output' (USD per 1K tokens)"
            ) from exc
    return table_price(model, base_url)


@lru_cache(maxsize=64)
def table_price(model: str, base_url: str | None) -> ModelPrice:
    """genai-prices' price for `model`.

    Without a base URL the provider is OpenAI. A base URL that genai-prices knows (OpenRouter,
    Groq, ...) selects that provider, and a model it does not list there is unknown: another
    provider's price would be a guess. Any other base URL (a self-hosted or test server, a proxy)
    is matched by the model name alone, as the model's maker prices it.
    """
    from genai_prices import Usage, calc_price

    def per_1k(input_tokens: int, output_tokens: int) -> float:
        usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens)
        if base_url is None:
            calculation = calc_price(usage, model, provider_id=DEFAULT_PROVIDER)
        else:
            try:
                calculation = calc_price(usage, model, provider_api_url=base_url)
            except LookupError as exc:
                if "find provider provider_api_url" not in str(exc):
                    raise
                calculation = calc_price(usage, model)
        return float(calculation.total_price)

    try:
        return ModelPrice(input=per_1k(PRICE_PROBE_TOKENS, 0), output=per_1k(0, PRICE_PROBE_TOKENS))
    except LookupError as exc:
        where = f"at {base_url}" if base_url else "at OpenAI"
        raise UnknownModelPrice(
            f"no price for model {model!r} {where} in the genai-prices table ({exc}); set it "
            f'with OPENAI_PRICES=\'{{"{model}": {{"input": <usd per 1K>, "output": <usd per 1K>}}}}\''
        ) from exc
