from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gateway.validation import StrictInt, UtcDatetime


class AnalyticsRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"days": 30}, {"days": 7, "as_of": "2026-11-28T00:00:00Z"}]
        },
    )

    days: StrictInt = Field(default=30, ge=1, le=365, description="Window length in days.")
    as_of: UtcDatetime | None = Field(
        default=None, description="End of the window; defaults to now."
    )
