from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"current_password": "correct-horse-42", "new_password": "battery-staple-43"}
            ]
        },
    )

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)

    @field_validator("new_password")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("password must not be only whitespace")
        return value


class AccountDeletionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"password": "correct-horse-42"}]}
    )

    password: str = Field(min_length=1, max_length=1024)


class ExportOut(BaseModel):
    """Everything stored about the user. Learners carry their own sessions, responses,
    content and analytics results."""

    format_version: int
    user: CurrentUserOut
    learners: list[dict[str, Any]] = Field(
        description="Each learner object with `sessions`, `responses`, `content` and `analytics`."
    )
    jobs: list[dict[str, Any]] = Field(description="Every job of the user, as GET /api/jobs/{id}.")
