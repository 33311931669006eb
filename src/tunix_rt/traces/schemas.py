"""Trace schemas (SPEC.md: the reasoning trace format)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator


class TraceStep(BaseModel):
    """One reasoning step."""

    model_config = ConfigDict(extra="forbid")

    i: int = Field(ge=0)
    type: str = Field(min_length=1, max_length=64)
    content: str = Field(min_length=1, max_length=20_000)


class TraceCreate(BaseModel):
    """A trace as clients send it. Unknown top-level keys are an error."""

    model_config = ConfigDict(extra="forbid")

    trace_version: str = Field(default="1.0", min_length=1, max_length=64)
    prompt: str = Field(min_length=1, max_length=50_000)
    steps: list[TraceStep] = Field(min_length=1, max_length=1_000)
    final_answer: str = Field(min_length=1, max_length=50_000)
    meta: dict[str, Any] | None = None

    @field_validator("steps")
    @classmethod
    def _unique_ordered_steps(cls, steps: list[TraceStep]) -> list[TraceStep]:
        seen: set[int] = set()
        for step in steps:
            if step.i in seen:
                raise ValueError(f"duplicate step index i={step.i}")
            seen.add(step.i)
        return sorted(steps, key=lambda s: s.i)

    @field_validator("meta")
    @classmethod
    def _tags_are_strings(cls, meta: dict[str, Any] | None) -> dict[str, Any] | None:
        if meta and "tags" in meta:
            tags = meta["tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
                raise ValueError("meta.tags must be a list of non-empty strings")
        return meta

    def content_hash(self) -> str:
        """sha256 over the canonical JSON of the content (keys sorted, steps by ``i``)."""
        return self.canonical()[1]

    def canonical(self) -> tuple[dict[str, Any], str]:
        """The JSON document and its content hash (computed together: batches need both)."""
        doc = self.model_dump(mode="json")
        return doc, hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()


def normalise_seed_variants(doc: Any) -> Any:
    """Accept the seed's spellings: ``prompts`` for ``prompt``, ``trace_steps`` as strings."""
    if not isinstance(doc, dict):
        return doc
    doc = dict(doc)
    if "prompts" in doc and "prompt" not in doc:
        doc["prompt"] = doc.pop("prompts")
    if "trace_steps" in doc and "steps" not in doc:
        raw = doc.pop("trace_steps")
        if isinstance(raw, list) and all(isinstance(s, str) for s in raw):
            doc["steps"] = [{"i": n, "type": "step", "content": s} for n, s in enumerate(raw)]
        else:
            doc["steps"] = raw
    return doc


class TracePublic(BaseModel):
    """A stored trace."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    trace_version: str
    prompt: str
    steps: list[TraceStep]
    final_answer: str
    meta: dict[str, Any] | None
    content_hash: str
    created_at: datetime


class TraceBatchCreate(BaseModel):
    """``POST /api/traces/batch`` body (a bare JSON list of traces is accepted too)."""

    model_config = ConfigDict(extra="forbid")

    traces: list[TraceCreate]


class TraceBatchCreated(BaseModel):
    """What a batch or import stored: ``ids`` in input order (the stored id for duplicates)."""

    created: int
    duplicates: int
    ids: list[uuid.UUID]
