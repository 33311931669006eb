"""Bulk insert of validated traces: binary COPY on PostgreSQL, one executemany on SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, any_, insert, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import is_postgres
from tunix_rt.traces.models import Trace, TraceTag
from tunix_rt.traces.schemas import CanonicalTrace, TraceCreate
from tunix_rt.traces.validation import check_storable

TRACE_COLUMNS = (
    "id",
    "content_hash",
    "trace_version",
    "prompt",
    "final_answer",
    "steps",
    "meta",
    "source",
    "category",
    "difficulty",
    "step_count",
    "created_at",
)
# Lookups of existing hashes go in chunks well under either driver's parameter limit.
_LOOKUP_CHUNK = 2_000
_COPY_RETRIES = 3


@dataclass(frozen=True)
class BatchResult:
    """``ids`` in input order; a duplicate gets the id of the stored (or earlier) copy."""

    created: int
    duplicates: int
    ids: list[uuid.UUID]


@dataclass(frozen=True)
class _Row:
    id: uuid.UUID
    canon: CanonicalTrace

    @property
    def digest(self) -> str:
        return self.canon.digest

    @property
    def doc(self) -> dict[str, Any]:
        return self.canon.doc


def _meta_str(meta: dict[str, Any] | None, key: str, width: int) -> str | None:
    value = (meta or {}).get(key)
    return str(value)[:width] if value is not None else None


def tags_of(meta: dict[str, Any] | None) -> list[str]:
    """The distinct tags of a trace, cut to the column width."""
    return sorted({str(t)[:200] for t in (meta or {}).get("tags") or []})


def row_values(
    row_id: uuid.UUID, digest: str, doc: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Column values for one trace from its canonical JSON document."""
    meta = doc.get("meta")
    return {
        "id": row_id,
        "content_hash": digest,
        "trace_version": doc["trace_version"],
        "prompt": doc["prompt"],
        "final_answer": doc["final_answer"],
        "steps": doc["steps"],
        "meta": meta,
        "source": _meta_str(meta, "source", 200),
        "category": _meta_str(meta, "category", 200),
        "difficulty": _meta_str(meta, "difficulty", 64),
        "step_count": len(doc["steps"]),
        "created_at": now,
    }


async def existing_ids(session: AsyncSession, digests: Sequence[str]) -> dict[str, uuid.UUID]:
    """The stored id of every hash in ``digests`` that is already in the table."""
    found: dict[str, uuid.UUID] = {}
    postgres = is_postgres(session)
    for start in range(0, len(digests), _LOOKUP_CHUNK):
        chunk = list(digests[start : start + _LOOKUP_CHUNK])
        # One array parameter on PostgreSQL instead of thousands of IN parameters.
        match = (
            Trace.content_hash == any_(literal(chunk, ARRAY(String)))
            if postgres
            else Trace.content_hash.in_(chunk)
        )
        result = await session.execute(select(Trace.content_hash, Trace.id).where(match))
        found.update(dict(result.all()))
    return found


async def _insert_sqlite(session: AsyncSession, rows: list[_Row], now: datetime) -> None:
    values = [row_values(r.id, r.digest, r.doc, now) for r in rows]
    tags = [{"trace_id": r.id, "tag": t} for r in rows for t in tags_of(r.doc.get("meta"))]
    if values:
        await session.execute(insert(Trace.metadata.tables["traces"]), values)
    if tags:
        await session.execute(insert(TraceTag.metadata.tables["trace_tags"]), tags)


def _copy_record(row: _Row, now: datetime) -> tuple[Any, ...]:
    """``TRACE_COLUMNS`` in order; jsonb as JSON text (asyncpg's codec as SQLAlchemy sets it)."""
    doc, meta = row.doc, row.doc.get("meta")
    return (
        row.id,
        row.digest,
        doc["trace_version"],
        doc["prompt"],
        doc["final_answer"],
        row.canon.steps_json.decode(),
        None if meta is None else row.canon.meta_json.decode(),
        _meta_str(meta, "source", 200),
        _meta_str(meta, "category", 200),
        _meta_str(meta, "difficulty", 64),
        len(doc["steps"]),
        now,
    )


async def _copy_postgres(session: AsyncSession, rows: list[_Row], now: datetime) -> None:
    """COPY the rows and their tags on the session's own connection (same transaction)."""
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    records = [_copy_record(r, now) for r in rows]
    await raw.copy_records_to_table("traces", records=records, columns=TRACE_COLUMNS)
    tags = [(r.id, t) for r in rows for t in tags_of(r.doc.get("meta"))]
    if tags:
        await raw.copy_records_to_table("trace_tags", records=tags, columns=("trace_id", "tag"))


async def _insert_postgres(session: AsyncSession, rows: list[_Row], now: datetime) -> list[_Row]:
    """COPY in a savepoint; a concurrent insert of the same content drops those rows, retried."""
    from asyncpg.exceptions import UniqueViolationError

    for _ in range(_COPY_RETRIES):
        try:
            async with session.begin_nested():
                await _copy_postgres(session, rows, now)
            return rows
        except UniqueViolationError:
            taken = await existing_ids(session, [r.digest for r in rows])
            rows = [r for r in rows if r.digest not in taken]
    async with session.begin_nested():
        await _copy_postgres(session, rows, now)
    return rows


async def create_traces(*, session: AsyncSession, traces: Sequence[TraceCreate]) -> BatchResult:
    """Store the traces not stored yet, all or nothing; duplicates map to the stored id."""
    return await store_canonical(session=session, traces=[t.canonical() for t in traces])


async def store_canonical(
    *, session: AsyncSession, traces: Sequence[CanonicalTrace]
) -> BatchResult:
    """``create_traces`` for documents already validated and hashed (the batch API's path)."""
    check_storable(list(traces))
    first: dict[str, CanonicalTrace] = {}
    for canon in traces:
        first.setdefault(canon.digest, canon)
    ids = await existing_ids(session, list(first))
    rows = [_Row(uuid.uuid4(), canon) for d, canon in first.items() if d not in ids]
    now = utcnow()
    if is_postgres(session) and rows:
        inserted = await _insert_postgres(session, rows, now)
        raced = {r.digest for r in rows} - {r.digest for r in inserted}
        ids.update(await existing_ids(session, sorted(raced)) if raced else {})
        rows = inserted
    elif rows:
        await _insert_sqlite(session, rows, now)
    ids.update({r.digest: r.id for r in rows})
    ordered = [ids[canon.digest] for canon in traces]
    return BatchResult(created=len(rows), duplicates=len(traces) - len(rows), ids=ordered)
