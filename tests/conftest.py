"""Test fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

Set ``TUNIX_RT_TEST_POSTGRES_URL`` (``.ci/run`` does) to include PostgreSQL. Each test session
creates its own PostgreSQL database, so concurrent test runs never share tables. Each test runs
inside a connection transaction and is rolled back (``join_transaction_mode="create_savepoint"``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tunix_rt.api.app import create_app
from tunix_rt.api.deps import get_session, get_stream_session
from tunix_rt.auth import service as auth_service
from tunix_rt.auth.schemas import TokenCreate
from tunix_rt.auth.tokens import Scope
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.settings import LOOPBACK_HOSTS, Environment, Settings

POSTGRES_URL = os.environ.get("TUNIX_RT_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs against; PostgreSQL is skipped unless configured."""
    backend: str = request.param
    if backend == "postgres" and not POSTGRES_URL:
        pytest.skip("TUNIX_RT_TEST_POSTGRES_URL is not set")
    return backend


async def _create_pg_database(base_url: str) -> str:
    name = f"tunix_rt_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(base_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@asynccontextmanager
async def own_database(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh, migrated database on ``db_backend``, dropped after (PostgreSQL)."""
    if db_backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = await _create_pg_database(Settings(database_url=POSTGRES_URL).database_url)
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        if db_backend == "postgres":
            await _drop_pg_database(Settings(database_url=POSTGRES_URL).database_url, url)


@pytest.fixture(scope="session")
async def database_url(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh, migrated database for this test session and backend."""
    async with own_database(db_backend, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The engine on the session's database."""
    eng = create_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        db = AsyncSession(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield db
        finally:
            await db.close()
            await trans.rollback()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh ``TUNIX_RT_HOME`` for the test."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def settings(home: Path, database_url: str) -> Settings:
    """Settings pointing at the test database and home."""
    return Settings(
        environment=Environment.TEST,
        home=home,
        database_url=database_url,
        workers=0,
        allowed_hosts=("test", *LOOPBACK_HOSTS),
        # Tests change token rows directly; the verified-token cache has its own tests
        # (tests/auth/test_token_cache.py).
        auth_cache_s=0.0,
    )


@pytest.fixture
async def admin_token(session: AsyncSession) -> str:
    """An admin token named ``test-admin`` in the test's rolled-back session."""
    body = TokenCreate(name="test-admin", scopes=[Scope.ADMIN])
    made = await auth_service.create_token(session=session, body=body, created_by="tests")
    return made.token


@pytest.fixture
async def committed_admin_token(engine: AsyncEngine) -> str:
    """An admin token committed to the session's database, for apps over committed data."""
    body = TokenCreate(name=f"test-admin-{uuid.uuid4().hex[:12]}", scopes=[Scope.ADMIN])
    async with session_scope(create_sessionmaker(engine)) as db:
        made = await auth_service.create_token(session=db, body=body, created_by="tests")
    return made.token


@asynccontextmanager
async def app_client(
    settings: Settings, engine: AsyncEngine, session: AsyncSession, *, token: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app built from ``settings`` that shares the test's rolled-back session,
    sending ``token`` as its bearer token when given."""
    app = create_app(settings, engine=engine, migrate_on_start=False, background=False)

    async def _session() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    async def _stream_session() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_stream_session] = _stream_session
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        yield http


@pytest.fixture
async def client(
    settings: Settings, engine: AsyncEngine, session: AsyncSession, admin_token: str
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, sharing the test's rolled-back session, signed in as admin."""
    async with app_client(settings, engine, session, token=admin_token) as http:
        yield http


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never read a developer's ``TUNIX_RT_*`` environment by accident."""
    for key in list(os.environ):
        if key.startswith("TUNIX_RT_") and key != "TUNIX_RT_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    from tunix_rt.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
