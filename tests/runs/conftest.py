"""Runs tests need committed rows visible across connections and processes, so they use the
``engine``/``database_url`` fixtures (not the rolled-back ``session``) and delete their rows after.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tunix_rt.db.session import create_sessionmaker, session_scope
from tunix_rt.jobs import HANDLERS
from tunix_rt.runs.handlers import Handler
from tunix_rt.runs.models import TERMINAL, Job, Run, RunLog, RunMetric
from tunix_rt.runs.worker import Worker, WorkerConfig
from tunix_rt.settings import Settings

FAST = WorkerConfig(
    concurrency=4,
    lease_s=3.0,
    heartbeat_s=0.3,
    reap_interval_s=0.5,
    poll_min_s=0.01,
    poll_max_s=0.1,
    shutdown_grace_s=5.0,
    kill_grace_s=1.0,
)


@pytest.fixture
async def factory(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on committed data; every queue row is deleted afterwards."""
    maker = create_sessionmaker(engine)
    yield maker
    async with session_scope(maker) as session:
        for table in (RunLog, RunMetric, Job, Run):
            await session.execute(delete(table))


@pytest.fixture
async def start_worker(
    settings: Settings, factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Callable[..., Worker]]:
    """Start in-process workers given ``jobs.HANDLERS`` or a table (stopped at teardown)."""
    running: list[tuple[Worker, asyncio.Task[None]]] = []

    def start(
        config: WorkerConfig = FAST, *, handlers: Mapping[str, Handler] = HANDLERS, **kwargs: Any
    ) -> Worker:
        worker = Worker(
            settings=settings, sessionmaker=factory, handlers=handlers, config=config, **kwargs
        )
        running.append((worker, asyncio.create_task(worker.run())))
        return worker

    yield start
    for worker, _task in running:
        worker.request_stop(hand_back=True)
    await asyncio.gather(*(task for _w, task in running))


@pytest.fixture
def wait_run(factory: async_sessionmaker[AsyncSession]) -> Callable[..., Any]:
    """``await wait_run(run_id, statuses=TERMINAL)``: poll a run until it reaches a status."""

    async def wait(run_id: Any, statuses: Any = TERMINAL, timeout_s: float = 60.0) -> Run:
        async with asyncio.timeout(timeout_s):
            while True:
                async with factory() as session:
                    stmt = select(Run).where(Run.id == run_id)
                    run = await session.scalar(stmt.execution_options(populate_existing=True))
                if run is not None and run.status in statuses:
                    return run
                await asyncio.sleep(0.05)

    return wait


@pytest.fixture
def worker_env(settings: Settings, database_url: str) -> dict[str, str]:
    """Environment for worker subprocesses on the test database and home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNIX_RT_")}
    env.update(
        TUNIX_RT_DATABASE_URL=database_url,
        TUNIX_RT_HOME=str(settings.home),
        TUNIX_RT_ENVIRONMENT="test",
        TUNIX_RT_LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture
def worker_argv() -> Callable[..., list[str]]:
    """``worker_argv(*options)``: the ``tunix-rt worker`` command line (this venv's script)."""
    script = Path(sys.executable).parent / "tunix-rt"
    return lambda *args: [str(script), "worker", *args]


@pytest.fixture
async def api(
    settings: Settings, engine: AsyncEngine, committed_admin_token: str
) -> AsyncIterator[Any]:
    """An HTTP client on an app over committed data (no rolled-back session override)."""
    import httpx

    from tunix_rt.api.app import create_app

    app = create_app(settings, engine=engine, migrate_on_start=False, background=False)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {committed_admin_token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        yield http


async def wait_all_terminal(factory: async_sessionmaker[AsyncSession], timeout_s: float) -> None:
    """Poll until no job of the database is queued or running (TimeoutError after timeout_s)."""
    async with asyncio.timeout(timeout_s):
        while True:
            async with factory() as session:
                open_jobs = await session.scalar(
                    select(func.count()).where(
                        Job.status.not_in(["succeeded", "failed", "cancelled"])
                    )
                )
            if open_jobs == 0:
                return
            await asyncio.sleep(0.2)
