"""Run Alembic migrations programmatically, on either database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _pending(connection: Connection) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(script.get_heads())


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Bring the database up to ``revision`` (all heads by default)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


async def is_up_to_date(engine: AsyncEngine) -> bool:
    """Whether every migration has been applied."""
    async with engine.connect() as conn:
        return not await conn.run_sync(_pending)
