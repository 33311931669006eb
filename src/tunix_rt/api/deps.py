"""Dependency aliases so routes stay a few lines long."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.pagination import DEFAULT_LIMIT, MAX_LIMIT
from tunix_rt.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """The app's session factory (for streaming endpoints that outlive one request session)."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return factory


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; committed when the handler returns without error.

    ``SessionDep`` uses it with ``scope="function"``: FastAPI runs the code after ``yield``
    before the response is sent, so a client never sees 201 for a write that then fails to
    commit, and its next request sees the data. The session is closed by then, so streamed
    bodies that read the database use ``StreamSessionDep``.
    """
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
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
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
OffsetQuery = Annotated[int, Query(ge=0, description="Rows to skip.")]
DEFAULT_PAGE_LIMIT = DEFAULT_LIMIT
