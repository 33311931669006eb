"""``tunix-rt runs list|show|logs|cancel`` on committed data."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.db.session import session_scope
from tunix_rt.runs import service
from tunix_rt.runs.logs import LogSink
from tunix_rt.settings import Settings


async def test_runs_cli(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_scope(factory) as session:
        run = await service.create_run(
            session=session, settings=settings, kind="sleep", config={"seconds": 1}, name="nap"
        )
    sink = LogSink(run_id=run.id, sessionmaker=factory)
    await sink.write("hello")
    await sink.write("oops", "stderr")
    await sink.close()
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", database_url)
    monkeypatch.setenv("TUNIX_RT_HOME", str(settings.home))
    runner = CliRunner()

    async def invoke(*args: str) -> Any:
        from tunix_rt.settings import get_settings

        get_settings.cache_clear()
        # the commands run their own event loop: keep it off this test's loop
        return await asyncio.to_thread(runner.invoke, app, list(args))

    listed = await invoke("runs", "list")
    assert listed.exit_code == 0, listed.output
    assert f"{run.id}  queued" in listed.output
    shown = await invoke("runs", "show", str(run.id))
    assert orjson.loads(shown.stdout)["name"] == "nap"
    logs = await invoke("runs", "logs", str(run.id))
    assert logs.stdout.splitlines() == ["hello"]
    assert "oops" in logs.stderr
    assert (await invoke("runs", "cancel", str(run.id))).stdout.strip().endswith("cancelled")
    again = await invoke("runs", "cancel", str(run.id))
    assert again.exit_code == 4
    assert "already cancelled" in again.stderr
    assert (await invoke("runs", "show", "not-a-uuid")).exit_code == 2
