"""Helpers of the packaging tests: trace files, run rows in the embedded database, zips."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
import zipfile
from pathlib import Path

from tests.factories import add_run

from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.settings import Settings


def write_traces(path: Path, n: int) -> Path:
    """Two-digit additions as traces, every 8th held out for eval."""
    rng = random.Random(0)
    with path.open("w") as fh:
        for i in range(n):
            a, b = rng.randint(10, 99), rng.randint(10, 99)
            row = {
                "prompt": f"What is {a} + {b}?",
                "steps": [{"i": 0, "type": "compute", "content": f"{a}+{b}={a + b}"}],
                "final_answer": str(a + b),
                "meta": {},
                "split": "eval" if i % 8 == 0 else "train",
            }
            fh.write(json.dumps(row) + "\n")
    return path


async def _add(home: Path, run_dir: Path, status: str) -> uuid.UUID:
    engine = create_engine(Settings(home=home).resolved_database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            manifest = json.loads((run_dir / "run_manifest.json").read_text())
            run = await add_run(
                session, name="tiny", status=status, config=manifest["config"], run_dir=str(run_dir)
            )
            return run.id
    finally:
        await engine.dispose()


def embedded_run(home: Path, run_dir: Path, status: str = "succeeded") -> uuid.UUID:
    """A run row for ``run_dir`` in the embedded database of ``home`` (committed)."""
    from tunix_rt.db import migrate

    async def _go() -> uuid.UUID:
        engine = create_engine(Settings(home=home).resolved_database_url)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        return await _add(home, run_dir, status)

    return asyncio.run(_go())


def names(path: Path) -> list[str]:
    """The entry names of a zip, in order."""
    with zipfile.ZipFile(path) as fh:
        return fh.namelist()


def read(path: Path, name: str) -> bytes:
    """One entry of a zip."""
    with zipfile.ZipFile(path) as fh:
        return fh.read(name)
