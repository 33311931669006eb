"""Job handlers: the context a handler gets, its clean failure, and its type (interfaces.md §5)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.errors import TunixRtError
from tunix_rt.runs import attempts
from tunix_rt.runs.environment import job_env
from tunix_rt.runs.logs import LogSink
from tunix_rt.runs.process import run_process_group
from tunix_rt.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """Everything a handler needs to do its job and report on it."""

    job_id: uuid.UUID
    run_id: uuid.UUID | None
    kind: str
    payload: dict[str, Any]
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    run_dir: Path
    # Set when the run is cancelled or the worker hands the job back; handlers should stop.
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    attempt: int = 1
    # Seconds between SIGTERM and SIGKILL when a subprocess is cancelled.
    kill_grace_s: float = 10.0
    sink: LogSink | None = None
    # Also shows each line to a caller running the job in its own process (``tunix-rt eval``).
    echo: Callable[[str], None] | None = None
    # Whether this claim of the job already stopped what an earlier attempt left running.
    earlier_stopped: bool = field(default=False, init=False, repr=False)

    async def log(self, line: str, stream: str = "stdout") -> None:
        """Append one line to the run's log (batched writes; ``seq`` assigned here)."""
        if self.echo is not None:
            self.echo(line)
        if self.sink is None:
            log.info("job %s [%s] %s", self.job_id, stream, line)
            return
        await self.sink.write(line, stream)

    async def run_subprocess(
        self, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> int:
        """Run ``argv`` supervised in its own process group, logging its output line by line.

        It gets the allowlisted part of the worker's environment (no secrets, see
        ``runs/environment.py``), ``env``, and the job's id and attempt. Its process dies with
        the worker; the first process of an attempt first stops an earlier attempt's on this
        host (``runs/attempts.py``). On cancellation the whole group gets SIGTERM, then SIGKILL
        after ``kill_grace_s``. Returns the exit code (negative = signal).
        """
        if not self.earlier_stopped:
            await attempts.stop_earlier(
                sessionmaker=self.sessionmaker, job_id=self.job_id, attempt=self.attempt
            )
            self.earlier_stopped = True
        return await run_process_group(
            argv,
            env=job_env(str(self.job_id), self.attempt, env),
            cwd=cwd or self.run_dir,
            on_line=self.log,
            cancelled=self.cancelled,
            kill_grace_s=self.kill_grace_s,
            on_start=self._record_start,
        )

    async def _record_start(self, pgid: int) -> None:
        await attempts.record_start(
            sessionmaker=self.sessionmaker, job_id=self.job_id, attempt=self.attempt, pgid=pgid
        )


class JobFailed(TunixRtError):
    """A handler's clean failure: the message (and exit code) go on the run, no traceback."""

    def __init__(
        self, message: str, *, exit_code: int | None = None, traceback: str | None = None
    ) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        # The tail that explains the failure (e.g. the subprocess's last stderr lines).
        self.traceback = traceback


# A job kind's handler; the worker is given a table of them (``jobs.HANDLERS``).
Handler = Callable[[JobContext], Awaitable[dict[str, Any] | None]]
