"""The request session commits before the response is sent (FastAPI ``scope="function"``).

These tests use the app's real session dependency, so their writes are committed; each test
deletes what it created.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tunix_rt.api.app import create_app
from tunix_rt.settings import Settings
from tunix_rt.traces.models import Trace


def _trace(prompt: str) -> dict[str, Any]:
    return {
        "prompt": prompt,
        "steps": [{"i": 0, "type": "compute", "content": "2 + 2 = 4"}],
        "final_answer": "4",
    }


class ObserveAtResponseStart:
    """ASGI wrapper: when the response starts, count the rows with ``prompt`` that an outside
    connection can see."""

    def __init__(self, app: ASGIApp, observer: AsyncEngine, prompt: str) -> None:
        self.app, self.observer, self.prompt = app, observer, prompt
        self.seen: list[int] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def observing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                query = select(func.count()).select_from(Trace).where(Trace.prompt == self.prompt)
                async with self.observer.connect() as conn:
                    self.seen.append(int(await conn.scalar(query) or 0))
            await send(message)

        await self.app(scope, receive, observing_send)


@pytest.fixture
async def observer(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A second engine, as another process would connect (plain SQLite reads never take the
    write lock, so they see only committed data and never wait)."""
    eng = create_async_engine(database_url)
    yield eng
    await eng.dispose()


async def test_created_trace_is_committed_before_the_response_starts(
    settings: Settings, engine: AsyncEngine, observer: AsyncEngine, committed_admin_token: str
) -> None:
    prompt = f"commit-before-response {uuid.uuid4()}"
    app = create_app(settings, engine=engine, migrate_on_start=False, background=False)
    wrapped = ObserveAtResponseStart(app, observer, prompt)
    transport = httpx.ASGITransport(app=wrapped)
    headers = {"Authorization": f"Bearer {committed_admin_token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        created = await http.post("/api/traces", json=_trace(prompt))
        assert created.status_code == 201, created.text
        try:
            assert wrapped.seen == [1]
        finally:
            deleted = await http.delete(f"/api/traces/{created.json()['id']}")
            assert deleted.status_code == 204


class RefusingSession(Session):
    """A session whose final commit fails, as a commit does when the database refuses it."""


@event.listens_for(RefusingSession, "before_commit")
def _refuse(session: Session) -> None:
    if not session.in_nested_transaction():  # savepoints (PostgreSQL bulk insert) still release
        raise RuntimeError("commit refused")


async def test_failed_commit_reaches_the_client_as_an_error_not_201(
    settings: Settings, engine: AsyncEngine, observer: AsyncEngine, committed_admin_token: str
) -> None:
    prompt = f"refused commit {uuid.uuid4()}"
    app = create_app(settings, engine=engine, migrate_on_start=False, background=False)
    app.state.sessionmaker = async_sessionmaker(
        engine, expire_on_commit=False, sync_session_class=RefusingSession
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"Authorization": f"Bearer {committed_admin_token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        response = await http.post("/api/traces", json=_trace(prompt))
    assert response.status_code == 500, response.text
    query = select(func.count()).select_from(Trace).where(Trace.prompt == prompt)
    async with observer.connect() as conn:
        assert await conn.scalar(query) == 0
