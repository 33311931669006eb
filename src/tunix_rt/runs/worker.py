"""The worker: claims jobs, runs their handlers under a heartbeat lease, drains on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tunix_rt.db.session import create_engine, is_postgres, session_scope
from tunix_rt.runs import queue, reaper, telemetry
from tunix_rt.runs.execution import Active, call_handler, new_active
from tunix_rt.runs.handlers import Handler
from tunix_rt.runs.listener import Listener
from tunix_rt.runs.models import JobStatus
from tunix_rt.runs.pg_claims import PgClaims
from tunix_rt.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    """Timing and capacity of one worker."""

    concurrency: int = 1
    # A job whose lease is not renewed for this long is presumed lost and is re-queued.
    lease_s: float = 30.0
    heartbeat_s: float = 5.0
    reap_interval_s: float = 10.0
    # Idle back-off between empty claims (SQLite), and the poll that backs up LISTEN (PostgreSQL).
    poll_min_s: float = 0.05
    poll_max_s: float = 1.0
    # On SIGTERM running jobs get this long to finish before they are handed back.
    shutdown_grace_s: float = 30.0
    # Between SIGTERM and SIGKILL of a cancelled job's process group.
    kill_grace_s: float = 10.0
    kinds: tuple[str, ...] | None = None


def default_worker_id(suffix: str = "") -> str:
    """``host:pid:random`` so several workers on one host stay distinguishable."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}{suffix}"


def create_worker_engine(settings: Settings) -> AsyncEngine:
    """The worker's engine: no pre-ping round trip per transaction (errors are retried)."""
    if settings.is_sqlite:
        return create_engine(settings.resolved_database_url)
    return create_engine(settings.resolved_database_url, pool_pre_ping=False)


class Worker:
    """Claims and executes jobs until asked to stop; runs each with its kind's handler."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        handlers: Mapping[str, Handler],
        config: WorkerConfig | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        # A claimed job of a kind missing here fails with "unknown job kind".
        self.handlers = handlers
        self.sessionmaker = sessionmaker
        self.config = config or WorkerConfig()
        self.worker_id = worker_id or default_worker_id()
        self.active: dict[uuid.UUID, Active] = {}
        self._stopping = asyncio.Event()
        self._slot_free = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._listener: Listener | None = None
        # PostgreSQL: claims and finishes go through the worker's own asyncpg connection.
        self._claims: PgClaims | None = None
        self._hand_back = False
        self._running = telemetry.WORKER_RUNNING.labels(self.worker_id)
        self.executed = 0

    def request_stop(self, *, hand_back: bool = False) -> None:
        """Stop claiming; running jobs finish (or, with ``hand_back``, are handed back now)."""
        self._stopping.set()
        self._wakeup.set()
        if hand_back:
            self._hand_back = True
            for active in self.active.values():
                self._interrupt(active, "handback")

    async def run(self) -> None:
        """The main loop: claim while there is capacity, wait when the queue is empty."""
        self._listener = await Listener.start(self.settings, self._on_notify)
        engine = self.sessionmaker.kw["bind"]
        if is_postgres(engine):
            self._claims = PgClaims.for_engine(engine, kinds=self.config.kinds)
        background = [
            asyncio.create_task(self._every(self.config.heartbeat_s, self._heartbeat)),
            asyncio.create_task(self._every(self.config.reap_interval_s, self._reap)),
        ]
        try:
            await self._claim_loop()
            await self._drain()
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            if self._listener is not None:
                await self._listener.close()
            if self._claims is not None:
                await self._claims.close()
            self._running.set(0)

    async def _claim_loop(self) -> None:
        backoff = self.config.poll_min_s
        while not self._stopping.is_set():
            if len(self.active) >= self.config.concurrency:
                self._slot_free.clear()
                await _first(self._slot_free.wait(), self._stopping.wait())
                continue
            self._wakeup.clear()
            try:
                job = await self._claim()
            except Exception:  # database unreachable: keep the worker, retry after a pause
                log.exception("worker %s: claim failed", self.worker_id)
                await _first(self._stopping.wait(), wait_s=self.config.poll_max_s)
                continue
            if job is not None:
                backoff = self.config.poll_min_s
                self._start(job)
                continue
            timeout = self.config.poll_max_s if self._listener else backoff
            await _first(self._wakeup.wait(), wait_s=timeout)
            backoff = min(backoff * 2, self.config.poll_max_s)

    async def _claim(self) -> queue.ClaimedJob | None:
        started = time.perf_counter()
        if self._claims is not None:
            job = await self._claims.claim(worker_id=self.worker_id, lease_s=self.config.lease_s)
        else:
            async with session_scope(self.sessionmaker) as session:
                job = await queue.claim_next_job(
                    session=session,
                    worker_id=self.worker_id,
                    lease_s=self.config.lease_s,
                    kinds=self.config.kinds,
                )
        telemetry.CLAIM_LATENCY.observe(time.perf_counter() - started)
        return job

    def _start(self, job: queue.ClaimedJob) -> None:
        """Run ``job`` in a new slot task."""
        active = self._activate(job)
        active.task = asyncio.create_task(self._run_slot(active))
        self._running.set(len(self.active))

    def _activate(self, job: queue.ClaimedJob) -> Active:
        active = new_active(
            job,
            settings=self.settings,
            sessionmaker=self.sessionmaker,
            kill_grace_s=self.config.kill_grace_s,
        )
        self.active[job.id] = active
        if self._hand_back:  # claimed while a hand-back stop was being requested
            self._interrupt(active, "handback")
        return active

    async def _run_slot(self, active: Active) -> None:
        """Run ``active``, then each job claimed as the previous one finished, in this task."""
        current: Active | None = active
        try:
            while current is not None:
                current = await self._execute(current)
        finally:
            self._running.set(len(self.active))
            self._slot_free.set()

    async def _execute(self, active: Active) -> Active | None:
        """Run one job and record it; returns the job claimed for this slot meanwhile."""
        chained = None
        try:
            outcome = await call_handler(active, self.sessionmaker, self.handlers)
            chained = await self._record(active, outcome)
        except Exception:  # recording failed (database down): the lease will expire, reaper retries
            log.exception("worker %s could not record job %s", self.worker_id, active.job.id)
        finally:
            self.active.pop(active.job.id, None)
            self.executed += 1
        if chained is None:
            return None
        following = self._activate(chained)
        following.task = active.task
        return following

    async def _record(self, active: Active, outcome: dict[str, Any]) -> queue.ClaimedJob | None:
        """Finish the job and, in the same transaction, claim the next one for this slot
        (one commit per job instead of two)."""
        job = active.job
        if active.reason == "lost":
            log.warning("job %s: lease lost, result discarded", job.id)
            return None
        if active.reason == "handback":
            async with session_scope(self.sessionmaker) as session:
                await queue.release_job(session=session, job=job, worker_id=self.worker_id)
            return None
        claim = not self._stopping.is_set()
        if self._claims is not None:
            kept, chained = await self._claims.finish_and_claim(
                job=job,
                worker_id=self.worker_id,
                lease_s=self.config.lease_s,
                claim=claim,
                **outcome,
            )
        else:
            chained = None
            async with session_scope(self.sessionmaker) as session:
                kept = await queue.finish_job(
                    session=session, job=job, worker_id=self.worker_id, **outcome
                )
                if claim:
                    chained = await queue.claim_next_job(
                        session=session,
                        worker_id=self.worker_id,
                        lease_s=self.config.lease_s,
                        kinds=self.config.kinds,
                    )
        if kept:
            elapsed = time.monotonic() - active.started
            telemetry.RUN_DURATION.labels(job.kind, str(outcome["status"])).observe(elapsed)
        return chained

    def _interrupt(self, active: Active, reason: str) -> None:
        if active.reason is None:
            active.reason = reason
        active.ctx.cancelled.set()

    async def _heartbeat(self) -> None:
        ids = list(self.active)
        async with session_scope(self.sessionmaker) as session:
            held = await queue.renew_leases(
                session=session, worker_id=self.worker_id, job_ids=ids, lease_s=self.config.lease_s
            )
        telemetry.WORKER_HEARTBEAT.labels(self.worker_id).set(time.time())
        for job_id in ids:
            active = self.active.get(job_id)
            if active is None:
                continue
            if job_id not in held:
                self._interrupt(active, "lost")
            elif held[job_id] == JobStatus.CANCEL_REQUESTED:
                self._interrupt(active, "cancel")

    async def _reap(self) -> None:
        async with session_scope(self.sessionmaker) as session:
            reaped = await reaper.reap_expired(session=session)
            depth = await reaper.queue_depth(session=session)
        for outcome, ids in (
            ("requeued", reaped.requeued),
            ("failed", reaped.failed),
            ("cancelled", reaped.cancelled),
        ):
            if ids:
                telemetry.JOBS_REAPED.labels(outcome).inc(len(ids))
                log.warning("reaper: %d job(s) %s after lease expiry", len(ids), outcome)
        for status, count in depth.items():
            telemetry.QUEUE_DEPTH.labels(status).set(count)

    def _on_notify(self, channel: str, payload: str) -> None:
        if channel == queue.CANCEL_CHANNEL:
            with contextlib.suppress(ValueError):
                active = self.active.get(uuid.UUID(payload))
                if active is not None:
                    self._interrupt(active, "cancel")
        else:
            self._wakeup.set()

    async def _every(self, interval: float, fn: Any) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await fn()
            except Exception:  # a transient database error must not kill the loop
                log.exception("worker %s: %s failed", self.worker_id, fn.__name__)

    async def _drain(self) -> None:
        """Let running jobs finish within the grace period, then hand the rest back."""
        tasks = {a.task for a in self.active.values() if a.task is not None}
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=self.config.shutdown_grace_s)
        if pending:
            for active in list(self.active.values()):
                self._interrupt(active, "handback")
            await asyncio.wait(pending)


async def _first(*aws: Coroutine[Any, Any, Any], wait_s: float | None = None) -> None:
    """Wait until the first of ``aws`` completes (or ``wait_s`` seconds), cancelling the others."""
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        await asyncio.wait(tasks, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
