from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from ailp.models.enums import Role


class UserOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "username": "ada",
                    "email": "ada@example.com",
                    "created_at": "2026-11-28T10:00:00Z",
                }
            ]
        }
    )

    id: int
    username: str
    email: str
    created_at: datetime


class CurrentUserOut(UserOut):
    role: Role
