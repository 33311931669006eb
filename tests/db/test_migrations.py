"""Models and migrations agree on both databases (the ``alembic check`` equivalent)."""

from alembic import command
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from tunix_rt.db import migrate


def _check(connection: Connection) -> None:
    cfg = migrate.alembic_config()
    cfg.attributes["connection"] = connection
    command.check(cfg)


async def test_migrations_match_models(engine: AsyncEngine) -> None:
    assert await migrate.is_up_to_date(engine)
    async with engine.connect() as conn:
        await conn.run_sync(_check)


def test_one_head() -> None:
    """Every migration descends into a single head: ``alembic upgrade head`` works."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1, script.get_heads()
