"""Registry schemas."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def _check_name(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"{what} must be letters, digits, '.', '_' or '-' (max 200)")
    return value


class ModelFamilyCreate(BaseModel):
    """A new model family."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = Field(default="", max_length=5000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name(value, "name")


class PromoteRequest(BaseModel):
    """Promote a succeeded run's final model into the family."""

    model_config = ConfigDict(extra="forbid")

    run_id: uuid.UUID
    label: str | None = Field(default=None, max_length=100)
    aliases: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("label")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        return None if value is None else _check_name(value, "label")

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, values: list[str]) -> list[str]:
        return [_check_name(v, "alias") for v in values]


class AliasSet(BaseModel):
    """Point an alias at a version."""

    model_config = ConfigDict(extra="forbid")

    version_id: uuid.UUID


class ModelVersionPublic(BaseModel):
    """A registered version."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    family_id: uuid.UUID
    number: int
    label: str
    sha256: str
    archive_sha256: str
    size_bytes: int
    file_count: int
    run_id: uuid.UUID | None
    provenance: dict[str, Any]
    aliases: list[str] = Field(default_factory=list)
    created_at: datetime


class ModelFamilyPublic(BaseModel):
    """A family with its aliases and its latest version."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str
    created_at: datetime
    aliases: dict[str, uuid.UUID] = Field(default_factory=dict)
    version_count: int = 0
    latest: ModelVersionPublic | None = None


class PromoteResult(BaseModel):
    """The promoted version, and whether identical content was already registered."""

    version: ModelVersionPublic
    created: bool
