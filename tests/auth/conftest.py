"""Auth test helpers: tokens in the test's session, and clients that send no token by default."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.conftest import app_client

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
        changed = settings.model_copy(update=overrides)
        async with app_client(changed, engine, session, token=None) as http:
            yield http

    return opened


@pytest.fixture
async def anon(open_client: OpenClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client with auth required and no token."""
    async with open_client() as http:
        yield http
