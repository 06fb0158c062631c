from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ailp.models.enums import ContentType
from gateway.validation import Concept


class GenerateContentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"concept": "SQL joins", "content_type": "lesson"}]},
    )

    concept: Concept = Field(description="What to learn: 1–200 characters, no control characters.")
    content_type: ContentType
    fresh: StrictBool = Field(default=False, description="Skip the cache and ask the model again.")
