"""The PostgreSQL worker's own claims connection: the one-statement claim and finish+claim."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tunix_rt.db.session import session_scope
from tunix_rt.runs import queue
from tunix_rt.runs.models import Job, JobStatus
from tunix_rt.runs.pg_claims import PgClaims


@pytest.fixture
async def claims(database_url: str, engine: AsyncEngine) -> AsyncIterator[PgClaims]:
    if database_url.startswith("sqlite"):
        pytest.skip("only PostgreSQL workers claim on a connection of their own")
    claims = PgClaims.for_engine(engine)
    yield claims
    await claims.close()


async def _enqueue(factory: async_sessionmaker[AsyncSession], n: int, kind: str = "echo") -> None:
    async with session_scope(factory) as session:
        for _ in range(n):
            await queue.enqueue(session=session, kind=kind, payload={"lines": []})


async def test_finish_and_claim_records_the_job_and_claims_the_next(
    claims: PgClaims, factory: async_sessionmaker[AsyncSession]
) -> None:
    await _enqueue(factory, 2)
    first = await claims.claim(worker_id="w", lease_s=30)
    assert first is not None
    assert (first.attempts, first.payload) == (1, {"lines": []})
    kept, second = await claims.finish_and_claim(
        job=first,
        worker_id="w",
        lease_s=30,
        claim=True,
        status=JobStatus.SUCCEEDED,
        result={"a": 1},
    )
    assert kept
    assert second is not None
    assert second.id != first.id
    kept, none = await claims.finish_and_claim(
        job=second, worker_id="other", lease_s=30, claim=True, status=JobStatus.SUCCEEDED
    )
    assert (kept, none) == (False, None)  # not the lease owner: nothing recorded, none left
    async with factory() as session:
        done = await session.get(Job, first.id)
        assert done is not None
        assert (done.status, done.result, done.lease_expires_at) == ("succeeded", {"a": 1}, None)


async def test_a_statement_slower_than_the_lease_drops_the_connection(
    claims: PgClaims, engine: AsyncEngine, factory: async_sessionmaker[AsyncSession]
) -> None:
    await _enqueue(factory, 2)
    job = await claims.claim(worker_id="w", lease_s=30)
    assert job is not None
    async with engine.connect() as blocker:
        await blocker.execute(text("SELECT 1 FROM jobs WHERE id = :id FOR UPDATE"), {"id": job.id})
        with pytest.raises(TimeoutError):
            await claims.finish_and_claim(
                job=job, worker_id="w", lease_s=0.5, claim=False, status=JobStatus.SUCCEEDED
            )
        await blocker.rollback()
    # The abandoned statement may still run once the lock is gone (the lease covers that);
    # the next call opens a fresh connection.
    async with asyncio.timeout(10):
        while True:
            async with factory() as session:
                status = await session.scalar(select(Job.status).where(Job.id == job.id))
            if status == JobStatus.SUCCEEDED:
                break
            await asyncio.sleep(0.05)
    following = await claims.claim(worker_id="w", lease_s=30)
    assert following is not None
    assert following.id != job.id
