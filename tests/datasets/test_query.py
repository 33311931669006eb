"""Content fetches for builds: streamed through a cursor on PostgreSQL, in one query on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.datasets.factories import make_traces, store

from tunix_rt.datasets import query
from tunix_rt.datasets.query import Record
from tunix_rt.datasets.schemas import DatasetBuild
from tunix_rt.traces.models import Trace


def _prompts(records: list[Record]) -> list[str]:
    return [record.prompt for record in records]


async def test_fetch_as_first_statement_of_a_session(engine: AsyncEngine) -> None:
    """A cursor needs a transaction; a fresh session has not begun one on the driver yet."""
    build = DatasetBuild(name="q", filters={"source": ["nowhere"]})
    async with AsyncSession(engine) as session:
        assert await query.fetch_latest(session=session, build=build, parse=_prompts) == []
        assert await session.scalar(select(func.count()).select_from(Trace)) is not None
        await session.rollback()


async def test_a_failing_parse_leaves_the_session_usable(session: AsyncSession) -> None:
    await store(session, make_traces(3))

    def fail(records: list[Record]) -> list[str]:
        raise ValueError("cannot parse")

    with pytest.raises(ValueError, match="cannot parse"):
        await query.fetch_latest(session=session, build=DatasetBuild(name="q"), parse=fail)
    assert await session.scalar(select(func.count()).select_from(Trace)) == 3
    assert (
        len(await query.fetch_latest(session=session, build=DatasetBuild(name="q"), parse=_prompts))
        == 3
    )
