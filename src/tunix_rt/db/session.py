"""Engine and session factories for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# An execution option of the read engine on SQLite: no BEGIN, each statement its own
# transaction. (SQLAlchemy's AUTOCOMMIT isolation would reset the pysqlite connection's
# ``isolation_level`` to "" when the connection returns to the pool, re-enabling pysqlite's
# own implicit transactions, which this module turns off.)
_SQLITE_AUTOCOMMIT = "tunix_rt_autocommit"


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` transactions.

    pysqlite's own transaction handling breaks SAVEPOINTs and upgrades read locks lazily,
    which fails with SQLITE_BUSY under concurrent writers; taking the write lock at BEGIN
    makes writers queue on ``busy_timeout`` instead (see SQLAlchemy's pysqlite notes).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get(_SQLITE_AUTOCOMMIT):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; creates the SQLite file's directory if needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping (a round trip on every checkout, about a third of a small request's time):
    # connections are recycled before server-side idle timeouts, and a connection found dead
    # fails that one statement and invalidates the pool (SQLAlchemy's optimistic handling).
    kwargs.setdefault("pool_recycle", 1800)
    # JSONB columns decode with orjson (stdlib json was ~5% of a trace list's time).
    kwargs.setdefault("json_deserializer", orjson.loads)
    return create_async_engine(url, **kwargs)


def autocommit_engine(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` with no transaction around statements: BEGIN/COMMIT cost two round trips.

    For requests that only read (``GET``/``HEAD``): each statement sees the latest committed
    data, and on SQLite no read ever takes the write lock. A write through it commits at once.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_SQLITE_AUTOCOMMIT: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (the API serialises after commit)."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def is_postgres(session_or_engine: AsyncSession | AsyncEngine) -> bool:
    """Whether the bound database is PostgreSQL."""
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, AsyncSession)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"
