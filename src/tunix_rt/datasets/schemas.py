"""Dataset and eval-set schemas (SPEC.md: eval set JSONL, dataset build and manifest)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tunix_rt.pagination import Pagination

Section = Literal["core", "trace_sensitive", "edge_case"]
Difficulty = Literal["easy", "medium", "hard"]


class EvalItemIn(BaseModel):
    """One eval item as registered (a line of an eval-set JSONL file)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    prompt: str = Field(min_length=1)
    expected_answer: str = Field(min_length=1)
    section: Section | None = None
    category: str | None = Field(default=None, max_length=200)
    difficulty: Difficulty | None = None


class EvalSetStats(BaseModel):
    """Item counts of an eval set, overall and per section, category and difficulty."""

    count: int
    by_section: dict[str, int]
    by_category: dict[str, int]
    by_difficulty: dict[str, int]


class EvalSetPublic(BaseModel):
    """A registered eval set."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str
    content_hash: str
    item_count: int
    created_at: datetime


class EvalSetDetail(EvalSetPublic):
    """An eval set with its statistics and (optionally) its items."""

    stats: EvalSetStats
    items: list[EvalItemIn] | None = None


class EvalSetsPublic(BaseModel):
    """A page of eval sets."""

    data: list[EvalSetPublic]
    pagination: Pagination


MetaScalar = str | int | float | bool
KEY_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Strategy = Literal["latest", "random", "stratified"]
Dedupe = Literal["content", "prompt", "none"]


class DatasetFilters(BaseModel):
    """Which traces a build selects; every filter runs in the database (all must hold)."""

    model_config = ConfigDict(extra="forbid")

    source: list[str] | None = Field(default=None, min_length=1)
    category: list[str] | None = Field(default=None, min_length=1)
    difficulty: list[str] | None = Field(default=None, min_length=1)
    tags: list[str] | None = Field(default=None, min_length=1, description="All of these tags.")
    tags_any: list[str] | None = Field(default=None, min_length=1, description="Any of these.")
    meta: dict[str, MetaScalar | list[MetaScalar]] | None = Field(
        default=None, description="meta key equals the value (or any of a list of values)."
    )
    score_key: str = Field(default="score", pattern=KEY_PATTERN)
    min_score: float | None = None
    max_score: float | None = None
    min_steps: int | None = Field(default=None, ge=0)
    max_steps: int | None = Field(default=None, ge=0)
    created_after: datetime | None = None
    created_before: datetime | None = None

    @field_validator("source", "category", "difficulty", "tags", "tags_any", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("meta")
    @classmethod
    def _meta_keys(
        cls, meta: dict[str, MetaScalar | list[MetaScalar]] | None
    ) -> dict[str, MetaScalar | list[MetaScalar]] | None:
        for key, value in (meta or {}).items():
            if not re.match(KEY_PATTERN, key):
                raise ValueError(f"meta key {key!r} must match {KEY_PATTERN}")
            if isinstance(value, list) and not value:
                raise ValueError(f"meta.{key}: empty list of values")
        return meta

    @model_validator(mode="after")
    def _ranges(self) -> DatasetFilters:
        pairs = [
            ("min_score", "max_score"),
            ("min_steps", "max_steps"),
            ("created_after", "created_before"),
        ]
        for low, high in pairs:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} is greater than {high}")
        return self


class DatasetBuild(BaseModel):
    """A build request: what to select, how, and how to split it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(default="v1", pattern=VERSION_PATTERN)
    description: str = Field(default="", max_length=2000)
    filters: DatasetFilters = Field(default_factory=DatasetFilters)
    strategy: Strategy = "latest"
    # Seeds live in 32-bit INTEGER columns; beyond them PostgreSQL refused the row (a 500).
    seed: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="Required for random; orders strata."
    )
    stratify_by: str | None = Field(default=None, pattern=KEY_PATTERN)
    limit: int | None = Field(default=None, ge=1, le=10_000_000)
    eval_fraction: float = Field(default=0.0, ge=0.0, lt=1.0)
    split_seed: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="Defaults to seed, or 0."
    )
    dedupe: Dedupe = "content"
    exclude_eval_overlap: bool = False
    overlap_threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    ngram: int = Field(default=8, ge=1, le=32)
    parent: str | None = Field(default=None, description="Select only from this dataset's traces.")
    provenance: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _strategy_needs(self) -> DatasetBuild:
        if self.strategy == "random" and self.seed is None:
            raise ValueError("seed is required for the random strategy")
        if self.strategy == "stratified" and not self.stratify_by:
            raise ValueError("stratify_by is required for the stratified strategy")
        if self.strategy != "stratified" and self.stratify_by:
            raise ValueError("stratify_by applies only to the stratified strategy")
        return self

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"

    def spec(self) -> dict[str, object]:
        """The fields that decide the content (not description or provenance)."""
        return self.model_dump(mode="json", exclude={"description", "provenance"})


class DatasetPublic(BaseModel):
    """A dataset as listed."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    name: str
    version: str
    build_id: uuid.UUID
    content_hash: str
    strategy: str
    seed: int | None
    record_count: int
    train_count: int
    eval_count: int
    parent_key: str | None
    created_at: datetime


class DatasetsPublic(BaseModel):
    """A page of datasets, newest first."""

    data: list[DatasetPublic]
    pagination: Pagination


class ExportResult(BaseModel):
    """What an export wrote."""

    count: int
    sha256: str
    bytes: int


class DatasetDetail(DatasetPublic):
    """A dataset with its manifest."""

    manifest: dict[str, Any]

    @classmethod
    def of(cls, dataset: Any, manifest: dict[str, Any] | None = None) -> DatasetDetail:
        """From a ``Dataset`` row (and optionally a fuller manifest)."""
        base = DatasetPublic.model_validate(dataset).model_dump()
        return cls(**base, manifest=manifest if manifest is not None else dataset.manifest)
