"""Job-queue throughput on PostgreSQL: ours beside a raw ``SKIP LOCKED`` loop, same run.

Figures (jobs/s): enqueue (one job per transaction, 1 client) and claim+complete of no-op jobs
with 1, 2 and 4 worker processes. Each worker process is our ``Worker`` (concurrency 1, the
full path: claim statement, handler, finish statement, heartbeats, LISTEN) or, for the
baseline, a plain asyncpg loop running the same claim and complete SQL. Ends with JSON lines.
The database is a scratch one made (and dropped) on ``--url``: by default
``TUNIX_RT_BENCH_POSTGRES_URL``, then ``TUNIX_RT_TEST_POSTGRES_URL``, then a PostgreSQL
``TUNIX_RT_DATABASE_URL``, then ``postgresql://postgres@127.0.0.1:5432/test``.

    .venv/bin/python bench/job_queue.py [--quick] [--jobs N] [--url postgresql://...]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep bench/ off sys.path: bench/datasets.py would shadow the ``datasets`` library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from multiprocessing.synchronize import Event as MpEvent  # noqa: E402
from typing import Any  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"

RAW_CLAIM = """
UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = $1,
       lease_expires_at = now() + interval '30 seconds', heartbeat_at = now(),
       started_at = now(), updated_at = now()
WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= now()
            ORDER BY priority, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, kind, payload, run_id, attempts, max_attempts
"""
RAW_COMPLETE = """
UPDATE jobs SET status = 'succeeded', result = $2, lease_expires_at = NULL,
       finished_at = now(), updated_at = now()
WHERE id = $1 AND lease_owner = $3 AND status IN ('running', 'cancel_requested')
"""
RAW_ENQUEUE = """
INSERT INTO jobs (id, kind, payload, status, priority, attempts, max_attempts, run_at,
                  created_at, updated_at)
VALUES ($1, 'echo', '{"lines": []}', 'queued', 0, 0, 3, now(), now(), now())
"""


def _dsn(url: str) -> str:
    from tunix_rt.runs.listener import asyncpg_dsn

    return asyncpg_dsn(url)


async def _raw_worker(url: str, start: MpEvent, stop: MpEvent, ready: Any) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn(url))
    owner = f"raw-{os.getpid()}"
    ready.put(os.getpid())
    await asyncio.to_thread(start.wait)
    while not stop.is_set():
        row = await conn.fetchrow(RAW_CLAIM, owner)
        if row is None:
            await asyncio.sleep(0.01)
            continue
        await conn.execute(RAW_COMPLETE, row["id"], '{"lines": 0}', owner)
    await conn.close()


async def _our_worker(url: str, home: str, start: MpEvent, stop: MpEvent, ready: Any) -> None:
    from tunix_rt.db.session import create_engine, create_sessionmaker
    from tunix_rt.jobs import HANDLERS
    from tunix_rt.runs.worker import Worker, WorkerConfig
    from tunix_rt.settings import Settings

    settings = Settings(database_url=url, home=Path(home), workers=0)
    engine = create_engine(url)
    config = WorkerConfig(concurrency=1, heartbeat_s=5, poll_min_s=0.01, poll_max_s=0.05)
    maker = create_sessionmaker(engine)
    worker = Worker(settings=settings, sessionmaker=maker, handlers=HANDLERS, config=config)
    async with engine.connect():  # open a pooled connection before the clock starts
        pass
    ready.put(os.getpid())
    await asyncio.to_thread(start.wait)
    task = asyncio.create_task(worker.run())
    await asyncio.to_thread(stop.wait)
    worker.request_stop()
    await task
    await engine.dispose()


def _child(kind: str, url: str, home: str, start: MpEvent, stop: MpEvent, ready: Any) -> None:
    if kind == "raw":
        asyncio.run(_raw_worker(url, start, stop, ready))
    else:
        asyncio.run(_our_worker(url, home, start, stop, ready))


async def _count_done(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(_dsn(url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM jobs WHERE status = 'succeeded'"))
    finally:
        await conn.close()


async def _seed(url: str, n: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn(url))
    await conn.execute("DELETE FROM jobs")
    records = [(uuid.uuid4(), i) for i in range(n)]
    await conn.execute(
        "INSERT INTO jobs (id, kind, payload, status, priority, attempts, max_attempts, run_at,"
        " created_at, updated_at) SELECT u, 'echo', '{\"lines\": []}', 'queued', 0, 0, 3, now(),"
        " now() + make_interval(secs => i / 1e6), now()"
        " FROM unnest($1::uuid[], $2::int[]) AS t(u, i)",
        [r[0] for r in records],
        [r[1] for r in records],
    )
    await conn.execute("VACUUM ANALYZE jobs")
    await conn.close()


def claim_complete(kind: str, url: str, workers: int, n: int) -> float:
    """jobs/s for ``workers`` processes draining ``n`` pre-enqueued no-op jobs."""
    asyncio.run(_seed(url, n))
    ctx = mp.get_context("spawn")
    start, stop, ready = ctx.Event(), ctx.Event(), ctx.Queue()
    with tempfile.TemporaryDirectory() as home:
        procs = [
            ctx.Process(target=_child, args=(kind, url, home, start, stop, ready))
            for _ in range(workers)
        ]
        for proc in procs:
            proc.start()
        for _ in procs:  # imports and connections done: the clock starts after
            ready.get(timeout=300)
        began = time.perf_counter()
        start.set()
        while asyncio.run(_count_done(url)) < n:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise SystemExit(f"error: a {kind} worker process died")
            time.sleep(0.02)
        elapsed = time.perf_counter() - began
        stop.set()
        for proc in procs:
            proc.join(timeout=60)
    return n / elapsed


async def _enqueue_ours(url: str, n: int) -> float:
    from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
    from tunix_rt.runs import queue

    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    began = time.perf_counter()
    for _ in range(n):
        async with session_scope(maker) as session:
            await queue.enqueue(session=session, kind="echo", payload={"lines": []})
    elapsed = time.perf_counter() - began
    await engine.dispose()
    return n / elapsed


async def _enqueue_raw(url: str, n: int) -> float:
    import asyncpg

    conn = await asyncpg.connect(_dsn(url))
    began = time.perf_counter()
    for _ in range(n):
        await conn.execute(RAW_ENQUEUE, uuid.uuid4())
    elapsed = time.perf_counter() - began
    await conn.close()
    return n / elapsed


async def _scratch_db(base_url: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tunix_rt.db import migrate
    from tunix_rt.db.session import create_engine

    name = f"tunix_rt_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    return url


async def _drop_db(base_url: str, url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tunix_rt.db.session import create_engine

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        name = make_url(url).database
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def _figure(name: str, ours: float, base: float) -> dict[str, Any]:
    return {
        "bench": "queue",
        "figure": name,
        "value": round(ours, 1),
        "unit": "jobs/s",
        "baseline": round(base, 1),
        "ratio": round(ours / base, 3),
        "goal": ">= 0.5" if name == "claim_complete_4w" else "informational",
    }


def main() -> None:
    from tunix_rt.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--jobs", type=int, default=None, help="jobs per claim measurement")
    app_url = os.environ.get("TUNIX_RT_DATABASE_URL", "")
    env_url = (
        os.environ.get("TUNIX_RT_BENCH_POSTGRES_URL")
        or os.environ.get("TUNIX_RT_TEST_POSTGRES_URL")
        or (app_url if app_url.startswith("postgres") else DEFAULT_URL)
    )
    parser.add_argument("--url", default=env_url, help="a PostgreSQL URL (a scratch DB is made)")
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        raise SystemExit(f"error: --url must be a PostgreSQL URL, not {args.url!r}")
    base = Settings(database_url=args.url).database_url
    n = args.jobs or (300 if args.quick else 3000)
    url = asyncio.run(_scratch_db(base))
    figures = []
    try:
        n_enq = n // 3
        ours, raw = asyncio.run(_enqueue_ours(url, n_enq)), asyncio.run(_enqueue_raw(url, n_enq))
        print(f"enqueue, 1 client: ours {ours:,.0f} jobs/s, raw INSERT {raw:,.0f} jobs/s")
        figures.append(_figure("enqueue_1c", ours, raw))
        for workers in (1, 2, 4):
            raw = claim_complete("raw", url, workers, n)
            ours = claim_complete("ours", url, workers, n)
            print(
                f"claim+complete, {workers} worker(s): ours {ours:,.0f} jobs/s, "
                f"raw SKIP LOCKED loop {raw:,.0f} jobs/s ({ours / raw:.0%})"
            )
            figures.append(_figure(f"claim_complete_{workers}w", ours, raw))
    finally:
        asyncio.run(_drop_db(base, url))
    for figure in figures:
        print(json.dumps(figure))


if __name__ == "__main__":
    main()
