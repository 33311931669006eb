"""Shared CLI plumbing: settings, ids, running async work, sessions, errors as exit codes."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tunix_rt import errors
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.settings import Settings, get_settings

T = TypeVar("T")

EXIT_CODES: dict[type[errors.TunixRtError], int] = {
    errors.InvalidInput: 2,
    errors.NotFound: 3,
    errors.Conflict: 4,
    errors.InvalidState: 4,
    errors.PayloadTooLarge: 2,
    errors.Unavailable: 5,
}


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    """Run async CLI work; a domain error becomes one line on stderr and an exit code."""
    try:
        return asyncio.run(coro_fn())  # type: ignore[arg-type]
    except errors.TunixRtError as exc:
        code = next((c for cls, c in EXIT_CODES.items() if isinstance(exc, cls)), 1)
        raise fail(str(exc), code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


def load_settings() -> Settings:
    """Settings from the environment, or exit 2 with one line naming the bad setting."""
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "TUNIX_RT_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise fail(f"invalid setting {name}: {first['msg']}", 2) from None


def parse_run_id(value: str, what: str = "run id") -> uuid.UUID:
    """A UUID argument, or exit 2 with one line."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise fail(f"not a {what}: {value!r}", 2) from None


@asynccontextmanager
async def sessionmaker_for(
    settings: Settings, *, engine: AsyncEngine | None = None
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on the configured database (the embedded SQLite migrated first).

    ``engine``: one the caller built (the worker's); like the default one, disposed at exit.
    """
    engine = engine or create_engine(settings.resolved_database_url)
    try:
        if settings.is_sqlite:
            await migrate.upgrade(engine)
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def cli_session(settings: Settings | None = None) -> AsyncIterator[AsyncSession]:
    """A committed-on-success session on the configured database (migrating SQLite first)."""
    settings = settings or get_settings()
    async with sessionmaker_for(settings) as maker, session_scope(maker) as session:
        yield session
