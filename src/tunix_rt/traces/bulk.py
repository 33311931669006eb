"""Bulk insert of validated traces: binary COPY on PostgreSQL, one executemany on SQLite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, any_, bindparam, insert, literal, select, text
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
_SQLITE_INSERT = insert(Trace.metadata.tables["traces"]).values(
    steps=bindparam("steps_json", type_=Text), meta=bindparam("meta_json", type_=Text)
)


@dataclass(frozen=True)
class BatchResult:
    """``ids`` in input order; a duplicate gets the id of the stored (or earlier) copy."""

    created: int
    duplicates: int
    ids: list[uuid.UUID]


# A new row: its id and the trace (a plain tuple: thousands are made per batch).
_Row = tuple[uuid.UUID, CanonicalTrace]


def _new_ids(count: int) -> list[uuid.UUID]:
    """Random UUIDs as ``uuid.uuid4`` makes them, from one read of the OS random source."""
    raw = os.urandom(16 * count)
    return [uuid.UUID(bytes=raw[k : k + 16], version=4) for k in range(0, 16 * count, 16)]


async def existing_ids(session: AsyncSession, digests: Sequence[str]) -> dict[str, uuid.UUID]:
    """The stored id of every hash in ``digests`` that is already in the table."""
    found: dict[str, uuid.UUID] = {}
    postgres = is_postgres(session)
    if postgres and digests:
        # A generic plan cached while the table was empty (after a TRUNCATE, or a new database
        # before autovacuum analyses it) scans the whole table for every lookup: 2,000 hashes
        # took 2 s at 40,000 rows. A plan made for each lookup uses the unique index.
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
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
    """The ``steps``/``meta`` JSON goes in as the text already encoded (SQLite stores text)."""
    values = [
        {
            "id": row_id,
            "content_hash": canon.digest,
            "trace_version": canon.trace_version,
            "prompt": canon.prompt,
            "final_answer": canon.final_answer,
            "steps_json": canon.steps_json,
            "meta_json": canon.meta_json,
            "source": canon.source,
            "category": canon.category,
            "difficulty": canon.difficulty,
            "step_count": canon.step_count,
            "created_at": now,
        }
        for row_id, canon in rows
    ]
    tags = [{"trace_id": row_id, "tag": t} for row_id, canon in rows for t in canon.tags]
    if values:
        await session.execute(_SQLITE_INSERT, values)
    if tags:
        await session.execute(insert(TraceTag.metadata.tables["trace_tags"]), tags)


def _copy_record(row: _Row, now: datetime) -> tuple[Any, ...]:
    """``TRACE_COLUMNS`` in order; jsonb as JSON text (asyncpg's codec as SQLAlchemy sets it)."""
    row_id, canon = row
    return (
        row_id,
        canon.digest,
        canon.trace_version,
        canon.prompt,
        canon.final_answer,
        canon.steps_json,
        canon.meta_json,
        canon.source,
        canon.category,
        canon.difficulty,
        canon.step_count,
        now,
    )


async def _copy_postgres(session: AsyncSession, rows: list[_Row], now: datetime) -> None:
    """COPY the rows and their tags on the session's own connection (same transaction)."""
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    records = [_copy_record(r, now) for r in rows]
    await raw.copy_records_to_table("traces", records=records, columns=TRACE_COLUMNS)
    tags = [(row_id, t) for row_id, canon in rows for t in canon.tags]
    if tags:
        await raw.copy_records_to_table("trace_tags", records=tags, columns=("trace_id", "tag"))


async def _insert_postgres(
    session: AsyncSession, rows: list[_Row], now: datetime
) -> tuple[list[_Row], dict[str, uuid.UUID]]:
    """COPY without looking first; rows whose content is stored already are dropped, retried.

    Returns the rows inserted and the stored ids of the ones dropped. New content, the usual
    case, costs PostgreSQL no lookup; a duplicate stops the COPY at its row and rolls back the
    savepoint, then one lookup finds every stored copy (and a concurrent insert of the same
    content is handled the same way).
    """
    from asyncpg.exceptions import UniqueViolationError

    stored: dict[str, uuid.UUID] = {}
    for _ in range(_COPY_RETRIES):
        try:
            async with session.begin_nested():
                await _copy_postgres(session, rows, now)
            return rows, stored
        except UniqueViolationError:
            stored.update(await existing_ids(session, [canon.digest for _, canon in rows]))
            rows = [row for row in rows if row[1].digest not in stored]
    async with session.begin_nested():
        await _copy_postgres(session, rows, now)
    return rows, stored


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
    now = utcnow()
    if is_postgres(session):
        rows = list(zip(_new_ids(len(first)), first.values(), strict=True))
        rows, ids = await _insert_postgres(session, rows, now) if rows else (rows, {})
    else:
        ids = await existing_ids(session, list(first))
        new = [canon for d, canon in first.items() if d not in ids]
        rows = list(zip(_new_ids(len(new)), new, strict=True))
        await _insert_sqlite(session, rows, now)
    ids.update({canon.digest: row_id for row_id, canon in rows})
    ordered = [ids[canon.digest] for canon in traces]
    return BatchResult(created=len(rows), duplicates=len(traces) - len(rows), ids=ordered)
