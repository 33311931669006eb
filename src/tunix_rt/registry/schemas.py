"""Registry schemas."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from tunix_rt.evaluation.scorecard import Scorecard
from tunix_rt.training.records import RunManifest

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


def _unreadable_as_none(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    # A version's provenance is a frozen copy: a document an older release stored in a shape
    # this one cannot read shows as missing rather than making the version unreadable.
    try:
        return handler(value)
    except ValidationError:
        return None


class ProvenanceEvaluation(BaseModel):
    """The run's latest successful evaluation when it was promoted."""

    # Every field defaults so a version promoted by an older release still reads.
    model_config = ConfigDict(extra="ignore")

    evaluation_id: uuid.UUID | None = None
    eval_set: str | None = None
    primary_judge: str | None = None
    primary_score: float | None = None
    ci95: list[float | None] | None = None  # [low, high]
    n_items: int | None = None
    scorecard: Scorecard | None = None

    @field_validator("scorecard", mode="wrap")
    @classmethod
    def _scorecard(cls, value: object, handler: ValidatorFunctionWrapHandler) -> object:
        return _unreadable_as_none(value, handler)


class Provenance(BaseModel):
    """What the registry recorded about a version's run when it was promoted."""

    # Every field defaults so a version promoted by an older release still reads.
    model_config = ConfigDict(extra="ignore")

    run_id: uuid.UUID | None = None
    run_name: str | None = None
    dataset_key: str | None = None
    dataset_sha256: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)  # the run's config as it was asked
    code_version: str | None = None
    library_versions: dict[str, str] = Field(default_factory=dict)
    run_manifest: RunManifest | None = None
    evaluation: ProvenanceEvaluation | None = None

    @field_validator("run_manifest", mode="wrap")
    @classmethod
    def _manifest(cls, value: object, handler: ValidatorFunctionWrapHandler) -> object:
        # Releases before the typed record stored {} for "no manifest".
        return None if value == {} else _unreadable_as_none(value, handler)


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
    provenance: Provenance
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
