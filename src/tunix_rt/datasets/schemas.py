"""Dataset and eval-set schemas (SPEC.md: eval set JSONL, dataset build and manifest)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Section = Literal["core", "trace_sensitive", "edge_case"]
Difficulty = Literal["easy", "medium", "hard"]


class Pagination(BaseModel):
    """Offset pagination of a list response (SPEC.md)."""

    limit: int
    offset: int
    next_offset: int | None


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
