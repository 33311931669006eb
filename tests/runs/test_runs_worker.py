"""In-process workers: claim, run, record, cancel, hand back, reap."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.runs.conftest import FAST

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import session_scope
from tunix_rt.errors import InvalidState
from tunix_rt.runs import queue, reaper, service
from tunix_rt.runs.handlers import JobContext
from tunix_rt.runs.logs import read_logs
from tunix_rt.runs.models import Job, JobStatus, Run
from tunix_rt.runs.pg_claims import APPLICATION_NAME
from tunix_rt.runs.worker import Worker
from tunix_rt.settings import Settings


async def _submit(
    factory: async_sessionmaker[AsyncSession], settings: Settings, kind: str, **config: Any
) -> Run:
    async with session_scope(factory) as session:
        return await service.create_run(
            session=session, settings=settings, kind=kind, config=config
        )


async def test_echo_run_succeeds_with_logs(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    run = await _submit(factory, settings, "echo", lines=["one", "two", "three"])
    start_worker()
    done = await wait_run(run.id)
    assert done.status == JobStatus.SUCCEEDED
    assert done.attempts == 1
    assert done.result == {"lines": 3}
    assert done.worker_id
    async with factory() as session:
        lines = await read_logs(session=session, run_id=run.id)
    assert [(row.seq, row.line) for row in lines] == [(0, "one"), (1, "two"), (2, "three")]


async def test_failing_command_records_exit_code_and_stderr(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    script = "import sys; print('to stderr', file=sys.stderr); sys.exit(3)"
    run = await _submit(factory, settings, "command", argv=["python3", "-c", script])
    start_worker()
    done = await wait_run(run.id)
    assert done.status == JobStatus.FAILED
    assert done.exit_code == 3
    assert "exited with 3" in (done.error or "")
    async with factory() as session:
        lines = await read_logs(session=session, run_id=run.id)
    assert [(row.stream, row.line) for row in lines] == [("stderr", "to stderr")]


async def test_unknown_kind_and_bad_payload_fail_cleanly(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    unknown = await _submit(factory, settings, "no-such-kind")
    bad = await _submit(factory, settings, "sleep", seconds="soon")
    start_worker()
    assert "unknown job kind" in ((await wait_run(unknown.id)).error or "")
    failed = await wait_run(bad.id)
    assert failed.status == JobStatus.FAILED
    assert "seconds" in (failed.error or "")


async def test_worker_runs_only_the_kinds_in_its_table(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    async def shout(ctx: JobContext) -> dict[str, Any]:
        await ctx.log(str(ctx.payload["word"]).upper())
        return {"shouted": ctx.payload["word"]}

    mine = await _submit(factory, settings, "shout", word="hi")
    builtin = await _submit(factory, settings, "echo", lines=["one"])
    start_worker(handlers={"shout": shout})
    done = await wait_run(mine.id)
    assert (done.status, done.result) == (JobStatus.SUCCEEDED, {"shouted": "hi"})
    missing = await wait_run(builtin.id)
    assert (missing.status, missing.error) == (JobStatus.FAILED, "unknown job kind 'echo'")


async def test_cancel_queued_run_is_immediate_and_finished_run_conflicts(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    run = await _submit(factory, settings, "sleep", seconds=0.1)
    async with session_scope(factory) as session:
        cancelled = await service.cancel_run(session=session, run_id=run.id)
    assert cancelled.status == JobStatus.CANCELLED
    async with factory() as session:
        job = await session.get(Job, run.job_id)
    assert job is not None
    assert job.status == JobStatus.CANCELLED
    with pytest.raises(InvalidState):
        async with session_scope(factory) as session:
            await service.cancel_run(session=session, run_id=run.id)


async def test_cancel_running_sleep(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    run = await _submit(factory, settings, "sleep", seconds=60)
    start_worker()
    await wait_run(run.id, statuses={JobStatus.RUNNING})
    async with session_scope(factory) as session:
        assert (await service.cancel_run(session=session, run_id=run.id)).status == (
            JobStatus.CANCEL_REQUESTED
        )
    done = await wait_run(run.id, timeout_s=5)
    assert done.status == JobStatus.CANCELLED


async def test_graceful_stop_hands_back_unfinished_jobs(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    run = await _submit(factory, settings, "sleep", seconds=60)
    worker = start_worker()
    await wait_run(run.id, statuses={JobStatus.RUNNING})
    worker.request_stop(hand_back=True)
    queued = await wait_run(run.id, statuses={JobStatus.QUEUED}, timeout_s=5)
    assert queued.attempts == 0
    async with factory() as session:
        job = await session.get(Job, run.job_id)
    assert job is not None
    assert job.lease_owner is None


async def test_reaper_requeues_then_fails_expired_leases(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    run = await _submit(factory, settings, "sleep", seconds=1)
    async with session_scope(factory) as session:
        await session.execute(update(Job).values(max_attempts=2))
    for attempt in (1, 2):
        async with session_scope(factory) as session:
            claimed = await queue.claim_next_job(session=session, worker_id="w", lease_s=30)
            assert claimed is not None
            assert claimed.attempts == attempt
            past = utcnow() - timedelta(seconds=1)
            await session.execute(update(Job).values(lease_expires_at=past))
        async with session_scope(factory) as session:
            reaped = await reaper.reap_expired(session=session)
        expected = reaped.requeued if attempt == 1 else reaped.failed
        assert expected == [claimed.id]
    async with factory() as session:
        final = await session.scalar(select(Run).where(Run.id == run.id))
    assert final is not None
    assert final.status == JobStatus.FAILED
    assert "lease expired" in (final.error or "")


async def test_two_workers_never_claim_the_same_job(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(factory) as session:
        for n in range(40):
            await queue.enqueue(session=session, kind="echo", payload={"lines": [str(n)]})

    async def drain(worker_id: str) -> list[Any]:
        got = []
        while True:
            async with session_scope(factory) as session:
                job = await queue.claim_next_job(session=session, worker_id=worker_id, lease_s=30)
            if job is None:
                return got
            got.append(job.id)
            await asyncio.sleep(0)

    first, second = await asyncio.gather(drain("a"), drain("b"))
    assert len(first) + len(second) == 40
    assert not set(first) & set(second)


async def test_worker_replaces_a_dropped_claims_connection(
    database_url: str,
    engine: AsyncEngine,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("only PostgreSQL workers claim on a connection of their own")
    first = await _submit(factory, settings, "echo", lines=["one"])
    start_worker()
    assert (await wait_run(first.id)).status == JobStatus.SUCCEEDED
    terminate = text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = :name AND datname = current_database()"
    )
    async with engine.connect() as conn:
        killed = (await conn.execute(terminate, {"name": APPLICATION_NAME})).scalars().all()
    assert killed == [True]
    second = await _submit(factory, settings, "echo", lines=["two"])
    done = await wait_run(second.id)
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)


async def test_worker_with_kinds_claims_only_those_kinds(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
) -> None:
    sleeper = await _submit(factory, settings, "sleep", seconds=0)
    echoes = [await _submit(factory, settings, "echo", lines=[str(n)]) for n in range(3)]
    start_worker(replace(FAST, concurrency=1, kinds=("echo",)))
    for run in echoes:
        assert (await wait_run(run.id)).status == JobStatus.SUCCEEDED
    async with factory() as session:
        assert await session.scalar(select(Job.status).where(Job.run_id == sleeper.id)) == "queued"
