"""A PostgreSQL worker's claims and finishes on its own asyncpg connection.

The hot path is one statement per job (``statements.FINISH_AND_CLAIM_PG``). Sent through
SQLAlchemy, each execution cost more Python time than PostgreSQL spent on it (a pool checkout,
the isolation-level switch, result metadata, the greenlet bridge), and on an engine with
``pool_pre_ping`` three more round trips. Here it is a cached prepared statement on a plain
asyncpg connection in autocommit (one statement is atomic), like the worker's LISTEN connection.
The SQL, leases included, is the same; only the driver call is shorter.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tunix_rt.db.base import utcnow
from tunix_rt.runs import statements
from tunix_rt.runs.listener import asyncpg_dsn
from tunix_rt.runs.models import JobStatus
from tunix_rt.runs.queue import ClaimedJob

# Names the connection in pg_stat_activity.
APPLICATION_NAME = "tunix-rt claims"


class PgClaims:
    """Claim and finish+claim for one worker, serialised on one connection (statements are
    short; the worker's slots take turns). A dropped connection is replaced on the next call."""

    def __init__(self, dsn: str, *, kinds: Sequence[str] | None = None) -> None:
        self._dsn = dsn
        self._kinds = list(kinds) if kinds is not None else None
        self._sql = statements.FINISH_AND_CLAIM_PG
        if kinds is not None:
            self._sql = statements.FINISH_AND_CLAIM_KINDS_PG
        self._conn: Any = None
        self._lock = asyncio.Lock()

    @classmethod
    def for_engine(cls, engine: AsyncEngine, *, kinds: Sequence[str] | None = None) -> PgClaims:
        """Claims on the database ``engine`` points at."""
        return cls(asyncpg_dsn(engine.url.render_as_string(hide_password=False)), kinds=kinds)

    async def claim(self, *, worker_id: str, lease_s: float) -> ClaimedJob | None:
        """Claim the next queued job (the same statement with no job to finish)."""
        _kept, job = await self.finish_and_claim(
            job=None, worker_id=worker_id, lease_s=lease_s, claim=True
        )
        return job

    async def finish_and_claim(
        self,
        *,
        job: ClaimedJob | None,
        worker_id: str,
        lease_s: float,
        claim: bool,
        status: JobStatus | None = None,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        traceback: str | None = None,
        exit_code: int | None = None,
    ) -> tuple[bool, ClaimedJob | None]:
        """Record ``job``'s terminal status and claim the next job in one statement. Returns
        (whether the lease on ``job`` was still ours, the next job or None)."""
        now = utcnow()
        args: list[Any] = [
            job.id if job is not None else None,
            worker_id,
            str(status) if status is not None else None,
            json.dumps(result),
            error,
            traceback,
            exit_code,
            now,
            now + timedelta(seconds=lease_s),
            claim,
        ]
        if self._kinds is not None:
            args.append(self._kinds)
        row = await self._fetchrow(args, timeout_s=lease_s)
        if row[1] is None:
            return bool(row[0]), None
        payload = json.loads(row[3])
        return bool(row[0]), ClaimedJob(row[1], row[2], payload, row[4], row[5], row[6])

    async def _fetchrow(self, args: list[Any], *, timeout_s: float) -> Any:
        # A statement slower than a lease is dropped with its connection: the slots share it,
        # and whatever it may have claimed goes back to the queue when the lease expires.
        async with self._lock:
            if self._conn is None or self._conn.is_closed():
                import asyncpg

                self._conn = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": APPLICATION_NAME}
                )
            try:
                return await self._conn.fetchrow(self._sql, *args, timeout=timeout_s)
            except TimeoutError:
                self._conn.terminate()
                raise
            finally:
                if self._conn.is_closed():
                    self._conn = None

    async def close(self) -> None:
        """Close the connection (a broken one is simply dropped)."""
        async with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=5)
            except Exception:  # already broken: the server side is gone too
                conn.terminate()
