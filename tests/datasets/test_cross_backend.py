"""The same seeded traces give the same dataset sha256 on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import POSTGRES_URL, _create_pg_database, _drop_pg_database
from tests.datasets.factories import make_traces, store

from tunix_rt.datasets import service
from tunix_rt.datasets.schemas import DatasetBuild
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.settings import Settings
from tunix_rt.traces import seeds

BUILDS = [
    DatasetBuild(name="x", version="random", strategy="random", seed=3, eval_fraction=0.2),
    DatasetBuild(name="x", version="latest", limit=200, eval_fraction=0.1),
    DatasetBuild(name="x", version="all", eval_fraction=0.3),
    DatasetBuild(name="x", version="strat", strategy="stratified", stratify_by="category", seed=9,
                 limit=150),
]  # fmt: skip


async def _hashes(url: str, home: Path) -> list[str]:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    factory = create_sessionmaker(engine)
    out = []
    async with session_scope(factory) as session:
        await store(session, [*seeds.COLLECTIONS["golden-v2"](), *make_traces(40)])
        for build in BUILDS:
            dataset, _ = await service.build_dataset(session=session, build=build, home=home)
            out.append(dataset.content_hash)
    await engine.dispose()
    return out


@pytest.mark.postgres_only
async def test_same_hash_on_sqlite_and_postgres(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("TUNIX_RT_TEST_POSTGRES_URL is not set")
    sqlite = await _hashes(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path / "a")
    base = Settings(database_url=POSTGRES_URL).database_url
    pg_url = await _create_pg_database(base)
    try:
        postgres = await _hashes(pg_url, tmp_path / "b")
    finally:
        await _drop_pg_database(base, pg_url)
    assert sqlite == postgres
    assert len(set(sqlite)) == len(BUILDS)
