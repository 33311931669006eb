"""Auth test helpers: tokens in the test's session, and clients that send no token by default."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tunix_rt.api.app import create_app
from tunix_rt.api.deps import get_session, get_stream_session
from tunix_rt.auth import service
from tunix_rt.auth.schemas import TokenCreate
from tunix_rt.auth.tokens import Scope
from tunix_rt.settings import Settings

OpenClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
MakeToken = Callable[..., Awaitable[str]]


@pytest.fixture
def make_token(session: AsyncSession) -> MakeToken:
    """``await make_token(name, *scopes, expires_in_days=None)``: a token in the test's session."""

    async def make(name: str, *scopes: Scope, expires_in_days: int | None = None) -> str:
        body = TokenCreate(name=name, scopes=list(scopes) or [Scope.READ])
        body = body.model_copy(update={"expires_in_days": expires_in_days})
        made = await service.create_token(session=session, body=body, created_by="tests")
        return made.token

    return make


@pytest.fixture
def open_client(settings: Settings, engine: AsyncEngine, session: AsyncSession) -> OpenClient:
    """``async with open_client(**setting_overrides)``: a client sending no token of its own,
    on an app sharing the test's rolled-back session."""

    @asynccontextmanager
    async def opened(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(
            settings.model_copy(update=overrides),
            engine=engine,
            migrate_on_start=False,
            background=False,
        )

        async def _session() -> AsyncIterator[AsyncSession]:
            yield session
            await session.flush()

        async def _stream_session() -> AsyncIterator[AsyncSession]:
            yield session

        app.dependency_overrides[get_session] = _session
        app.dependency_overrides[get_stream_session] = _stream_session
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http

    return opened


@pytest.fixture
async def anon(open_client: OpenClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client with auth required and no token."""
    async with open_client() as http:
        yield http
