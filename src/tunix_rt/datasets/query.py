"""SQL for dataset builds: filters that run in the database, candidate ids, record fetches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    ColumnElement,
    Text,
    Uuid,
    and_,
    any_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from tunix_rt.datasets.schemas import DatasetBuild, DatasetFilters, MetaScalar
from tunix_rt.traces.models import Trace, TraceTag

FETCH_CHUNK = 1000
# Rows per cursor fetch when streaming (~1 MB): PostgreSQL can send the next chunk into the
# socket buffers while Python works on this one.
STREAM_CHUNK = 500
T = TypeVar("T")
COLUMN_KEYS = {"source": Trace.source, "category": Trace.category, "difficulty": Trace.difficulty}


@dataclass(frozen=True)
class Candidate:
    """A selectable trace: just its id, content hash and stratum (never its content)."""

    id: uuid.UUID
    content_hash: str
    stratum: str | None


# Not frozen: a frozen dataclass's __init__ (object.__setattr__ per field) costs 5x as much,
# and a build makes one per trace. Nothing mutates a Record.
@dataclass(slots=True)
class Record:
    """A selected trace's content, as the build writes it."""

    trace_id: uuid.UUID
    content_hash: str
    trace_version: str
    prompt: str
    steps: list[dict[str, Any]]
    final_answer: str
    meta: dict[str, Any] | None


def _meta_equals(dialect: str, key: str, value: MetaScalar) -> ColumnElement[bool]:
    """``meta[key] == value`` with JSON typing (2 == 2.0, "2" != 2), on either database."""
    if dialect == "postgresql":
        return Trace.meta[key] == cast(literal(orjson.dumps(value).decode()), JSONB)
    extracted = func.json_extract(Trace.meta, f'$."{key}"')
    if isinstance(value, str):
        return and_(func.json_type(Trace.meta, f'$."{key}"') == "text", extracted == value)
    if isinstance(value, bool):
        return func.json_type(Trace.meta, f'$."{key}"') == ("true" if value else "false")
    return and_(
        func.json_type(Trace.meta, f'$."{key}"').in_(["integer", "real"]), extracted == value
    )


def meta_number(dialect: str, key: str) -> ColumnElement[Any]:
    """``meta[key]`` as a float where it is a JSON number, else NULL (never a cast error)."""
    if dialect == "postgresql":
        is_number = func.jsonb_typeof(Trace.meta[key]) == "number"
        return case((is_number, Trace.meta[key].as_float()), else_=None)
    kind = func.json_type(Trace.meta, f'$."{key}"')
    return case(
        (kind.in_(["integer", "real"]), func.json_extract(Trace.meta, f'$."{key}"')), else_=None
    )


def _has_tag(tag: str) -> ColumnElement[bool]:
    return exists().where(TraceTag.trace_id == Trace.id, TraceTag.tag == tag)


def where_clauses(filters: DatasetFilters, dialect: str) -> list[ColumnElement[bool]]:
    """The filters as SQL conditions (all must hold)."""
    clauses: list[ColumnElement[bool]] = []
    for name, column in COLUMN_KEYS.items():
        values = getattr(filters, name)
        if values:
            clauses.append(column.in_(values))
    clauses.extend(_has_tag(tag) for tag in filters.tags or [])
    if filters.tags_any:
        any_tag = exists().where(TraceTag.trace_id == Trace.id, TraceTag.tag.in_(filters.tags_any))
        clauses.append(any_tag)
    for key, value in (filters.meta or {}).items():
        values = value if isinstance(value, list) else [value]
        clauses.append(or_(*(_meta_equals(dialect, key, v) for v in values)))
    score = meta_number(dialect, filters.score_key)
    if filters.min_score is not None:
        clauses.append(score >= filters.min_score)
    if filters.max_score is not None:
        clauses.append(score <= filters.max_score)
    if filters.min_steps is not None:
        clauses.append(Trace.step_count >= filters.min_steps)
    if filters.max_steps is not None:
        clauses.append(Trace.step_count <= filters.max_steps)
    if filters.created_after is not None:
        clauses.append(Trace.created_at >= filters.created_after)
    if filters.created_before is not None:
        clauses.append(Trace.created_at < filters.created_before)
    return clauses


def _stratum_column(key: str | None) -> ColumnElement[Any]:
    if key is None:
        return literal(None).label("stratum")
    column = COLUMN_KEYS.get(key)
    if column is not None:
        return column.label("stratum")
    return cast(Trace.meta[key].as_string(), Text).label("stratum")


async def select_candidates(*, session: AsyncSession, build: DatasetBuild) -> list[Candidate]:
    """Ids, hashes and strata of the matching traces; ``latest`` orders and limits in SQL."""
    dialect = session.get_bind().dialect.name
    stmt = select(Trace.id, Trace.content_hash, _stratum_column(build.stratify_by)).where(
        *where_clauses(build.filters, dialect)
    )
    if build.strategy == "latest":
        # content_hash breaks ties so the order is the same on every database.
        stmt = stmt.order_by(Trace.created_at.desc(), Trace.content_hash)
        if build.limit is not None and build.parent is None and build.dedupe != "prompt":
            stmt = stmt.limit(build.limit)
    else:
        stmt = stmt.order_by(Trace.content_hash)
    result = await session.execute(stmt)
    return [
        Candidate(row[0], row[1], None if row[2] is None else str(row[2])) for row in result.all()
    ]


CONTENT_COLUMNS = (
    Trace.id,
    Trace.content_hash,
    Trace.trace_version,
    Trace.prompt,
    cast(Trace.steps, Text),
    Trace.final_answer,
    cast(Trace.meta, Text),
)


def _record(row: Any) -> Record:
    """A content row (``CONTENT_COLUMNS``, then any extra columns) as a record."""
    meta = row[6]
    parsed_meta = orjson.loads(meta) if meta is not None else None
    return Record(row[0], row[1], row[2], row[3], orjson.loads(row[4]), row[5], parsed_meta)


async def _rows(session: AsyncSession, stmt: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """Rows of a content query. On PostgreSQL through the driver directly: for ~2 KB rows
    SQLAlchemy's per-row result processing costs as much as the fetch itself (bench/datasets.py).
    """
    conn = await session.connection()
    if conn.dialect.name != "postgresql":
        rows: Sequence[Any] = (await session.execute(stmt)).all()
        return rows
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = [params[name] for name in compiled.positiontup or ()]
    driver: Any = (await conn.get_raw_connection()).driver_connection
    fetched: Sequence[Any] = await driver.fetch(compiled.string, *args)
    return fetched


async def _streamed(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    each: Callable[[Sequence[Any]], list[T]],
) -> list[T]:
    """``each`` of a content query's rows, by chunk; on PostgreSQL while the next rows arrive.

    A server-side cursor is read in chunks, each requested before the previous one is handed to
    ``each``: PostgreSQL produces rows on its own core while Python works on the ones it has,
    and only the results stay in memory, not the rows (bench/datasets.py).
    """
    conn = await session.connection()
    if conn.dialect.name != "postgresql":
        return each((await session.execute(stmt)).all())
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = [params[name] for name in compiled.positiontup or ()]
    driver: Any = (await conn.get_raw_connection()).driver_connection
    if driver.is_in_transaction():
        return await _prefetching(driver.cursor(compiled.string, *args), each)
    # A cursor needs a transaction, and the session has not begun its own on the driver yet.
    async with driver.transaction():
        return await _prefetching(driver.cursor(compiled.string, *args), each)


async def _prefetching(factory: Any, each: Callable[[Sequence[Any]], list[T]]) -> list[T]:
    cursor = await factory
    done: list[T] = []
    pending = asyncio.ensure_future(cursor.fetch(STREAM_CHUNK))
    try:
        while rows := await pending:
            pending = asyncio.ensure_future(cursor.fetch(STREAM_CHUNK))
            # One turn of the loop lets the new fetch send its request before ``each`` runs.
            await asyncio.sleep(0)
            done.extend(each(rows))
    finally:
        # Never leave a fetch in flight on the session's connection (an error, a cancellation).
        await asyncio.gather(pending, return_exceptions=True)
    return done


async def fetch_latest(
    *, session: AsyncSession, build: DatasetBuild, parse: Callable[[list[Record]], list[T]]
) -> list[T]:
    """``parse`` of the filtered traces' content (one query), newest first, then by hash.

    ``parse`` gets the records a chunk at a time and returns one result per record.
    """
    dialect = session.get_bind().dialect.name
    stmt = select(*CONTENT_COLUMNS).where(*where_clauses(build.filters, dialect))
    if build.limit is not None:
        # A top-N sort in the database keeps only ``limit`` rows.
        ordered = stmt.order_by(Trace.created_at.desc(), Trace.content_hash).limit(build.limit)
        return await _streamed(session, ordered, lambda rows: parse(list(map(_record, rows))))

    def keyed(rows: Sequence[Any]) -> list[tuple[Any, str, T]]:
        parsed = parse(list(map(_record, rows)))
        return [(row[-1], row[1], item) for row, item in zip(rows, parsed, strict=True)]

    # Without a limit the database would sort every full row before sending the first (on disk
    # past work_mem); unordered, rows stream as they are read, and only keys are sorted here,
    # in the same order: content_hash is lowercase hex, which any collation orders as Python.
    found = await _streamed(session, stmt.add_columns(Trace.created_at), keyed)
    found.sort(key=itemgetter(1))
    found.sort(key=itemgetter(0), reverse=True)  # stable: equal times keep the hash order
    return [item for _, _, item in found]


async def fetch_records(*, session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Record]:
    """The content of these traces, in the given order (JSON parsed with orjson)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    # One array parameter on PostgreSQL; SQLite caps bound parameters, so smaller IN lists.
    size = 10 * FETCH_CHUNK if postgres else FETCH_CHUNK
    found: dict[uuid.UUID, Any] = {}
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        match = Trace.id == any_(literal(chunk, ARRAY(Uuid))) if postgres else Trace.id.in_(chunk)
        for row in await _rows(session, select(*CONTENT_COLUMNS).where(match)):
            found[row[0]] = row
    # Parsed in the given order, so the records lie in memory in that order (see fetch_latest).
    return [_record(found[tid]) for tid in ids if tid in found]
