"""``tunix-rt seed``: idempotent on both databases, one-line errors, and the service path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.conftest import POSTGRES_URL, _create_pg_database, _drop_pg_database
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine
from tunix_rt.settings import Settings
from tunix_rt.traces import seeds
from tunix_rt.traces import service as trace_service
from tunix_rt.traces.models import Trace

runner = CliRunner()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def fresh_db(db_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty, migrated database of its own: the CLI commits, so it must not share one."""
    if db_backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'seed.db'}"
    else:
        url = asyncio.run(_create_pg_database(Settings(database_url=POSTGRES_URL).database_url))
    asyncio.run(_migrate(url))
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", url)
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path / "home"))
    yield url
    if db_backend == "postgres":
        asyncio.run(_drop_pg_database(Settings(database_url=POSTGRES_URL).database_url, url))


async def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(Trace))).scalar_one())
    finally:
        await engine.dispose()


def _seed(*args: str) -> str:
    result = runner.invoke(app, ["seed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_twice_leaves_exactly_one_copy(fresh_db: str) -> None:
    assert _seed("dev-reasoning-v2") == "dev-reasoning-v2: 550 created, 0 already present\n"
    assert _seed("dev-reasoning-v2") == "dev-reasoning-v2: 0 created, 550 already present\n"
    assert asyncio.run(_count(fresh_db)) == 550
    assert _seed("golden-v1") == "golden-v1: 5 created, 0 already present\n"
    out = _seed("--generator", "arithmetic", "--n", "20", "--seed", "4", "--knob", "digits=2")
    assert out == "arithmetic (n=20, seed=4): 20 created, 0 already present\n"
    assert asyncio.run(_count(fresh_db)) == 575
    assert _seed("eval-v2") == "eval-v2: eval set with 100 items registered\n"
    assert _seed("eval-v2") == "eval-v2: eval set with 100 items already present\n"


def test_seed_list_names_collections_and_generators() -> None:
    out = _seed("--list")
    for name in [*seeds.COLLECTIONS, seeds.EVAL_V2, "arithmetic", "high_card_duel"]:
        assert name in out
    assert "dev-reasoning-v2    550 traces" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown collection 'nope'"),
        ([], "give a collection NAME, --list, or --generator NAME"),
        (["golden-v1", "--list"], "only one of"),
        (["--generator", "dice"], "unknown generator 'dice'"),
        (["--generator", "arithmetic", "--knob", "digits=9"], "digits must be an integer in 1..5"),
        (["--generator", "arithmetic", "--knob", "digits"], "--knob must be KEY=VALUE"),
    ],
)
def test_bad_seed_input_exits_with_one_line(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(tmp_path))
    result = runner.invoke(app, ["seed", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "tunix_rt.db").exists()


async def test_service_insert_is_idempotent(session: AsyncSession) -> None:
    traces = seeds.dev_reasoning_v2()
    first = await trace_service.create_traces(session=session, traces=traces)
    second = await trace_service.create_traces(session=session, traces=traces)
    assert (first.created, first.duplicates) == (550, 0)
    assert (second.created, second.duplicates) == (0, 550)
    assert second.ids == first.ids
    hashes = [t.content_hash() for t in traces]
    count = await session.scalar(select(func.count()).where(Trace.content_hash.in_(hashes)))
    assert count == 550
