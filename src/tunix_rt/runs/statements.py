"""The queue's hot-path statements, built once.

Building an ORM-enabled UPDATE per call cost more Python time than the database spent on it;
the Core statements (the session path, used on SQLite) are constructed at import, so
SQLAlchemy's compiled cache key is computed once. PostgreSQL workers send the plain SQL at the
end on their own asyncpg connection (``runs/pg_claims.py``).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, Text, Update, bindparam, func, select, update

from tunix_rt.runs.models import Job, JobStatus, Run

JOBS = cast(Table, Job.__table__)
RUNS = cast(Table, Run.__table__)
_ACTIVE = [str(JobStatus.RUNNING), str(JobStatus.CANCEL_REQUESTED)]


def _claim(with_kinds: bool) -> Update:
    candidate = (
        select(JOBS.c.id)
        .where(JOBS.c.status == str(JobStatus.QUEUED), JOBS.c.run_at <= bindparam("now"))
        .order_by(JOBS.c.priority, JOBS.c.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if with_kinds:
        candidate = candidate.where(JOBS.c.kind.in_(bindparam("kinds", expanding=True)))
    return (
        update(JOBS)
        .where(JOBS.c.id == candidate.scalar_subquery(), JOBS.c.status == str(JobStatus.QUEUED))
        .values(
            status=str(JobStatus.RUNNING),
            attempts=JOBS.c.attempts + 1,
            lease_owner=bindparam("worker"),
            lease_expires_at=bindparam("expires"),
            heartbeat_at=bindparam("now"),
            started_at=bindparam("now"),
            updated_at=bindparam("now"),
        )
        .returning(
            JOBS.c.id,
            JOBS.c.kind,
            JOBS.c.payload,
            JOBS.c.run_id,
            JOBS.c.attempts,
            JOBS.c.max_attempts,
        )
    )


CLAIM = _claim(with_kinds=False)
CLAIM_KINDS = _claim(with_kinds=True)

CLAIM_RUN = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("run_id"))
    .values(
        status=str(JobStatus.RUNNING),
        attempts=bindparam("attempts"),
        worker_id=bindparam("worker"),
        started_at=func.coalesce(RUNS.c.started_at, bindparam("now", type_=RUNS.c.started_at.type)),
        updated_at=bindparam("now"),
    )
)

# error/traceback: a success (None) keeps the note of an earlier lost attempt on the job row.
FINISH = (
    update(JOBS)
    .where(
        JOBS.c.id == bindparam("job_id"),
        JOBS.c.lease_owner == bindparam("worker"),
        JOBS.c.status.in_(_ACTIVE),
    )
    .values(
        status=bindparam("status"),
        result=bindparam("result"),
        error=func.coalesce(bindparam("error", type_=Text()), JOBS.c.error),
        traceback=func.coalesce(bindparam("traceback", type_=Text()), JOBS.c.traceback),
        lease_expires_at=None,
        finished_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)

FINISH_RUN = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("run_id"))
    .values(
        status=bindparam("status"),
        result=bindparam("result"),
        error=bindparam("error"),
        traceback=bindparam("traceback"),
        exit_code=bindparam("exit_code"),
        finished_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)


# PostgreSQL only, for the worker's own asyncpg connection (``runs/pg_claims.py``): finish a job
# and claim the next in ONE statement (data-modifying CTEs), run records included, so a busy
# worker pays one round trip and one commit per job. With $1 (the finished job) NULL it is a plain
# claim. SQLite has no data-modifying CTEs; it uses FINISH + CLAIM in one transaction instead.
# $1 job_id, $2 worker, $3 status, $4 result (JSON text), $5 error, $6 traceback, $7 exit_code,
# $8 now, $9 lease expiry, $10 claim (bool), $11 kinds (text[], the filtered variant only).
_FINISH_AND_CLAIM_PG = """
WITH done AS (
    UPDATE jobs SET status = $3, result = $4, error = coalesce($5, error),
        traceback = coalesce($6, traceback), lease_expires_at = NULL, finished_at = $8,
        updated_at = $8
    WHERE id = $1 AND lease_owner = $2 AND status IN ('running', 'cancel_requested')
    RETURNING run_id
), done_run AS (
    UPDATE runs SET status = $3, result = $4, error = $5, traceback = $6, exit_code = $7,
        finished_at = $8, updated_at = $8
    WHERE id = (SELECT run_id FROM done)
), next AS (
    UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = $2,
        lease_expires_at = $9, heartbeat_at = $8, started_at = $8, updated_at = $8
    WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $8{kinds}
                ORDER BY priority, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
      AND status = 'queued' AND $10
    RETURNING id, kind, payload, run_id, attempts, max_attempts
), next_run AS (
    UPDATE runs SET status = 'running', attempts = (SELECT attempts FROM next),
        worker_id = $2, started_at = coalesce(started_at, $8), updated_at = $8
    WHERE id = (SELECT run_id FROM next)
)
SELECT (SELECT count(*) FROM done) AS finished,
       next.id, next.kind, next.payload, next.run_id, next.attempts, next.max_attempts
FROM (SELECT 1) AS one LEFT JOIN next ON true
"""
FINISH_AND_CLAIM_PG = _FINISH_AND_CLAIM_PG.format(kinds="")
FINISH_AND_CLAIM_KINDS_PG = _FINISH_AND_CLAIM_PG.format(kinds=" AND kind = ANY($11::text[])")
