"""Trace list queries: filters, newest-first order, OFFSET and keyset (cursor) pages."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Row, Select, exists, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.traces.models import Trace, TraceTag


@dataclass(frozen=True)
class TraceFilter:
    """What to list; every field optional. ``q`` searches prompt and final answer."""

    source: str | None = None
    category: str | None = None
    difficulty: str | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    q: str | None = None


@dataclass(frozen=True)
class TracePage:
    """Rows of one page, where the next one starts (``None`` on the last page) and, when
    asked for, how many traces match the filter in all (``None`` when not counted)."""

    rows: Sequence[Row[Any]]
    next_offset: int | None
    next_cursor: str | None
    total: int | None = None


def _utc(value: datetime) -> datetime:
    """Naive timestamps are UTC; aware ones are converted (SQLite compares the text)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def encode_cursor(trace: Trace | Row[Any]) -> str:
    """An opaque cursor after ``trace`` in newest-first order."""
    raw = orjson.dumps([_utc(trace.created_at).isoformat(), trace.id.hex])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The ``(created_at, id)`` a cursor points after; ``InvalidInput`` naming ``cursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, hex_id = orjson.loads(raw)
        return _utc(datetime.fromisoformat(stamp)), uuid.UUID(hex_id)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        problem = Problem("cursor", "not a cursor returned by this API")
        raise InvalidInput(problems=[problem]) from None


# The tables' Core columns: a statement built only from them runs without the ORM's compile
# and result-setup steps (a list request's largest cost after the database round trip).
T = Trace.__table__.c
TAG = TraceTag.__table__.c

# What a list page reads: the public fields plus the CLI table's source and step count. Plain
# rows (attribute access like a Trace) skip the ORM's identity map and instance state.
LISTED = (
    T.id, T.trace_version, T.prompt, T.steps, T.final_answer, T.meta, T.content_hash,
    T.created_at, T.source, T.step_count,
)  # fmt: skip


def conditions(flt: TraceFilter) -> list[ColumnElement[bool]]:
    """The filter's ``WHERE`` conditions (shared by the page and its count)."""
    where: list[ColumnElement[bool]] = []
    for column, value in (
        (T.source, flt.source),
        (T.category, flt.category),
        (T.difficulty, flt.difficulty),
    ):
        if value is not None:
            where.append(column == value)
    if flt.tag is not None:
        where.append(exists().where(TAG.trace_id == T.id, TAG.tag == flt.tag))
    if flt.created_after is not None:
        where.append(T.created_at > _utc(flt.created_after))
    if flt.created_before is not None:
        where.append(T.created_at < _utc(flt.created_before))
    if flt.q:
        where.append(
            or_(
                T.prompt.icontains(flt.q, autoescape=True),
                T.final_answer.icontains(flt.q, autoescape=True),
            )
        )
    return where


def filtered(flt: TraceFilter) -> Select[Any]:
    """``SELECT`` the listed columns with the filter's conditions, newest first."""
    stmt: Select[Any] = select(*LISTED).where(*conditions(flt))
    return stmt.order_by(T.created_at.desc(), T.id.desc())


async def count_matching(session: AsyncSession, flt: TraceFilter) -> int:
    """Every trace the filter matches: one ``count(*)`` with the list's ``WHERE``."""
    stmt = select(func.count()).select_from(Trace.__table__).where(*conditions(flt))
    return int(await session.scalar(stmt) or 0)


async def list_page(
    session: AsyncSession,
    flt: TraceFilter,
    *,
    limit: int,
    offset: int = 0,
    cursor: str | None = None,
    count: bool = False,
) -> TracePage:
    """One page; with ``cursor`` the page starts after it (keyset), else at ``offset``.

    ``count``: also the total of matching traces. An OFFSET page that is the last one (and not
    past the end) already tells it, so only the other pages run the ``count(*)``.
    """
    stmt = filtered(flt).limit(limit + 1)
    if cursor is not None:
        if offset:
            raise InvalidInput("offset: cannot be combined with cursor")
        stamp, last_id = decode_cursor(cursor)
        after = tuple_(literal(stamp, T.created_at.type), literal(last_id, T.id.type))
        stmt = stmt.where(tuple_(T.created_at, T.id) < after)
    elif offset:
        stmt = stmt.offset(offset)
    rows = (await session.execute(stmt)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    total = None
    if count:
        known = cursor is None and not more and (rows or not offset)
        total = offset + len(rows) if known else await count_matching(session, flt)
    return TracePage(
        rows=rows,
        next_offset=offset + limit if more and cursor is None else None,
        next_cursor=encode_cursor(rows[-1]) if more else None,
        total=total,
    )
