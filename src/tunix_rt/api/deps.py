"""Dependency aliases so routes stay a few lines long."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from pydantic import BeforeValidator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from tunix_rt.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """The app's session factory (for streaming endpoints that outlive one request session)."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return factory


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; committed when the handler returns without error.

    ``GET`` and ``HEAD`` get a session outside any transaction (``db.session.autocommit_engine``):
    two round trips fewer, and on SQLite a read never queues behind writers.

    ``SessionDep`` uses it with ``scope="function"``: FastAPI runs the code after ``yield``
    before the response is sent, so a client never sees 201 for a write that then fails to
    commit, and its next request sees the data. The session is closed by then, so streamed
    bodies that read the database use ``StreamSessionDep``.
    """
    state = request.app.state
    reads = request.method in ("GET", "HEAD")
    factory: async_sessionmaker[AsyncSession] = (
        state.read_sessionmaker if reads else state.sessionmaker
    )
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def get_stream_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only session that stays open until a streamed body is sent; never committed."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with factory() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
StreamSessionDep = Annotated[AsyncSession, Depends(get_stream_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
# Every integer a client sends is bounded, so none reaches SQL out of its column's range.
INT64_MAX = 2**63 - 1
# Seeds are stored in 32-bit INTEGER columns (datasets, evaluations, sweeps).
MAX_SEED = 2**31 - 1
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _iso_only(value: object) -> object:
    """Query date-times are ISO 8601 only: pydantic alone reads ``0.5`` as a Unix time."""
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        raise ValueError("expected an ISO 8601 date-time, not a number")
    return value


def already_stored(model: type[Any], what: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a create route that answers 200 with an identical existing ``what``."""
    return {200: {"model": model, "description": f"An identical {what} already existed"}}


def streamed(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route whose 200 streams one of ``media_types`` (not JSON)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    content = dict.fromkeys(media_types, binary)
    return {200: {"description": "The streamed body", "content": content}}


DateTimeQuery = Annotated[datetime | None, BeforeValidator(_iso_only), Query()]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
SeedQuery = Annotated[int | None, Query(ge=0, le=MAX_SEED, description="Random seed.")]
SinceSeqQuery = Annotated[
    int, Query(ge=-1, le=INT64_MAX, description="Send log lines with seq > this.")
]
LastEventIdHeader = Annotated[
    int | None,
    Header(ge=-1, le=INT64_MAX, description="The last `log` event id seen (resumes after it)."),
]
DEFAULT_PAGE_LIMIT = DEFAULT_LIMIT
