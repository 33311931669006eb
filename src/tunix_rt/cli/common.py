"""Shared CLI plumbing: running async work, sessions, and errors as exit codes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt import errors
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker
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


@asynccontextmanager
async def cli_session(settings: Settings | None = None) -> AsyncIterator[AsyncSession]:
    """A committed-on-success session on the configured database (migrating SQLite first)."""
    settings = settings or get_settings()
    engine = create_engine(settings.resolved_database_url)
    try:
        if settings.is_sqlite:
            await migrate.upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
    finally:
        await engine.dispose()
