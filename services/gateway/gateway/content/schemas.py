from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ailp.models.enums import ContentType
from gateway.validation import label


class GenerateContentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"concept": "SQL joins", "content_type": "lesson"}]},
    )

    concept: label(200) = Field(
        description="What to learn: 1–200 characters, no control characters."
    )  # type: ignore[valid-type]
    content_type: ContentType
    fresh: StrictBool = Field(default=False, description="Skip the cache and ask the model again.")
