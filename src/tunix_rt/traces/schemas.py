"""Trace schemas (SPEC.md: the reasoning trace format)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise
from typing import Annotated, Any, NamedTuple, NotRequired

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    with_config,
)
from typing_extensions import TypedDict

DEFAULT_TRACE_VERSION = "1.0"


def check_tags(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    """``meta.tags``, when present, is a list of non-empty strings."""
    if meta and "tags" in meta:
        tags = meta["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise ValueError("meta.tags must be a list of non-empty strings")
    return meta


def _duplicate_index(indexes: list[int]) -> None:
    seen: set[int] = set()
    for i in indexes:
        if i in seen:
            raise ValueError(f"duplicate step index i={i}")
        seen.add(i)


class TraceStep(BaseModel):
    """One reasoning step."""

    model_config = ConfigDict(extra="forbid")

    i: int = Field(ge=0, strict=True)  # JSON Schema's integers are not booleans
    type: str = Field(min_length=1, max_length=64)
    content: str = Field(min_length=1, max_length=20_000)


class TraceCreate(BaseModel):
    """A trace as clients send it. Unknown top-level keys are an error."""

    model_config = ConfigDict(extra="forbid")

    trace_version: str = Field(default=DEFAULT_TRACE_VERSION, min_length=1, max_length=64)
    prompt: str = Field(min_length=1, max_length=50_000)
    steps: list[TraceStep] = Field(min_length=1, max_length=1_000)
    final_answer: str = Field(min_length=1, max_length=50_000)
    meta: dict[str, Any] | None = None

    @field_validator("steps")
    @classmethod
    def _unique_ordered_steps(cls, steps: list[TraceStep]) -> list[TraceStep]:
        _duplicate_index([s.i for s in steps])
        return sorted(steps, key=lambda s: s.i)

    @field_validator("meta")
    @classmethod
    def _tags_are_strings(cls, meta: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_tags(meta)

    def content_hash(self) -> str:
        """sha256 over the canonical JSON of the content (keys sorted, steps by ``i``)."""
        return self.canonical().digest

    def canonical(self) -> CanonicalTrace:
        """The JSON document and its content hash (computed together: batches need both)."""
        return CanonicalTrace.of(self.model_dump(mode="json"))


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


def public_doc(row: Any) -> dict[str, Any]:
    """``TracePublic``'s fields of a stored row as plain values, for list pages (validating 50
    models from attributes was a third of a list request). Encoded with orjson's ``OPT_UTC_Z``
    it is byte for byte ``TracePublic``'s JSON (tests/traces/test_public_doc.py)."""
    return {
        "id": str(row.id),
        "trace_version": row.trace_version,
        "prompt": row.prompt,
        "steps": [{"i": s["i"], "type": s["type"], "content": s["content"]} for s in row.steps],
        "final_answer": row.final_answer,
        "meta": row.meta,
        "content_hash": row.content_hash,
        "created_at": row.created_at,
    }


class TraceBatchCreate(BaseModel):
    """``POST /api/traces/batch`` body (a bare JSON list of traces is accepted too)."""

    model_config = ConfigDict(extra="forbid")

    traces: list[TraceCreate]


class TraceBatchCreated(BaseModel):
    """What a batch or import stored: ``ids`` in input order (the stored id for duplicates)."""

    created: int
    duplicates: int
    ids: list[uuid.UUID]


# The same trace format validated into plain dicts: several times faster than building
# models, so the batch API and imports use it. Rules must match ``TraceCreate`` (tested).
@with_config(ConfigDict(extra="forbid"))
class StepDoc(TypedDict):
    """A step as a plain dict."""

    i: Annotated[int, Field(ge=0, strict=True)]  # as TraceStep: not a boolean or a string
    type: Annotated[str, Field(min_length=1, max_length=64)]
    content: Annotated[str, Field(min_length=1, max_length=20_000)]


def _sorted_step_docs(steps: list[StepDoc]) -> list[StepDoc]:
    indexes = [s["i"] for s in steps]
    if all(a < b for a, b in pairwise(indexes)):
        return steps  # the usual case: already ordered, hence unique
    _duplicate_index(indexes)
    return sorted(steps, key=lambda s: s["i"])


@with_config(ConfigDict(extra="forbid"))
class TraceDoc(TypedDict):
    """A trace as a plain dict (``trace_version`` and ``meta`` filled in by ``CanonicalTrace``)."""

    trace_version: NotRequired[Annotated[str, Field(min_length=1, max_length=64)]]
    prompt: Annotated[str, Field(min_length=1, max_length=50_000)]
    steps: Annotated[
        list[StepDoc], Field(min_length=1, max_length=1_000), AfterValidator(_sorted_step_docs)
    ]
    final_answer: Annotated[str, Field(min_length=1, max_length=50_000)]
    meta: NotRequired[Annotated[dict[str, Any] | None, AfterValidator(check_tags)]]


@with_config(ConfigDict(extra="forbid"))
class TraceBatchDoc(TypedDict):
    """The object form of a batch body."""

    traces: list[TraceDoc]


TRACE_DOC = TypeAdapter(TraceDoc)
TRACE_DOCS = TypeAdapter(list[TraceDoc])
TRACE_BATCH_DOC = TypeAdapter(TraceBatchDoc)


_SORTED = orjson.OPT_SORT_KEYS


def _meta_str(meta: Mapping[str, Any], key: str, width: int) -> str | None:
    value = meta.get(key)
    return None if value is None else str(value)[:width]


def tags_of(meta: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The distinct tags of a trace, sorted and cut to the column width."""
    return tuple(sorted({str(t)[:200] for t in (meta or {}).get("tags") or ()}))


class CanonicalTrace(NamedTuple):
    """A validated trace as it is stored: column values, ``steps``/``meta`` JSON and content hash.

    The hash is sha256 over the document's JSON with sorted keys, assembled from the same
    ``steps`` and ``meta`` JSON that the bulk insert stores, so each is encoded once. It holds
    no dicts or lists: a batch waiting for its insert leaves the cyclic garbage collector
    nothing to traverse (the decoded documents are freed as soon as this is built). A named
    tuple rather than a frozen dataclass: one is built per imported trace, three times faster.
    """

    digest: str
    trace_version: str
    prompt: str
    final_answer: str
    steps_json: str
    meta_json: str | None
    step_count: int
    source: str | None
    category: str | None
    difficulty: str | None
    tags: tuple[str, ...]

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> CanonicalTrace:
        """From a validated document (steps ordered by ``i``); fills the defaults and hashes."""
        version = doc.get("trace_version", DEFAULT_TRACE_VERSION)
        prompt, answer, steps = doc["prompt"], doc["final_answer"], doc["steps"]
        meta = doc.get("meta")
        steps_json = orjson.dumps(steps, option=_SORTED)
        meta_json = orjson.dumps(meta, option=_SORTED)
        canonical = b"".join(
            (
                b'{"final_answer":',
                orjson.dumps(answer),
                b',"meta":',
                meta_json,
                b',"prompt":',
                orjson.dumps(prompt),
                b',"steps":',
                steps_json,
                b',"trace_version":',
                orjson.dumps(version),
                b"}",
            )
        )
        tags: tuple[str, ...] = ()
        if meta is None:
            meta_text, source, category, difficulty = None, None, None, None
        else:
            meta_text, tags = meta_json.decode(), tags_of(meta)
            source = _meta_str(meta, "source", 200)
            category = _meta_str(meta, "category", 200)
            difficulty = _meta_str(meta, "difficulty", 64)
        return cls(
            hashlib.sha256(canonical).hexdigest(),
            version,
            prompt,
            answer,
            steps_json.decode(),
            meta_text,
            len(steps),
            source,
            category,
            difficulty,
            tags,
        )
