"""The queue's hot-path statements, built once.

Building an ORM-enabled UPDATE per call cost more Python time than the database spent on it;
the Core statements (the session path, used on SQLite) are constructed at import, so
SQLAlchemy's compiled cache key is computed once. PostgreSQL workers send the plain SQL at the
end on their own asyncpg connection (``runs/pg_claims.py``).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, Text, Update, bindparam, case, func, select, update

from tunix_rt.runs.models import Job, JobStatus

JOBS = cast(Table, Job.__table__)
_NOW = bindparam("now", type_=JOBS.c.started_at.type)
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
            # The run's start is its first attempt's.
            started_at=func.coalesce(JOBS.c.started_at, _NOW),
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

# error: a success keeps the note of an earlier lost attempt on the job row (the run shows no
# error on a success, ``Run.error``); any other end records exactly its own reason.
_status = bindparam("status", type_=Text())
FINISH = (
    update(JOBS)
    .where(
        JOBS.c.id == bindparam("job_id"),
        JOBS.c.lease_owner == bindparam("worker"),
        JOBS.c.status.in_(_ACTIVE),
    )
    .values(
        status=_status,
        result=bindparam("result"),
        error=case(
            (_status == str(JobStatus.SUCCEEDED), JOBS.c.error),
            else_=bindparam("error", type_=Text()),
        ),
        traceback=bindparam("traceback", type_=Text()),
        exit_code=bindparam("exit_code"),
        lease_expires_at=None,
        finished_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)

# PostgreSQL only, for the worker's own asyncpg connection (``runs/pg_claims.py``): finish a job
# and claim the next in ONE statement (data-modifying CTEs), so a busy worker pays one round trip
# and one commit per job. With $1 (the finished job) NULL it is a plain claim. SQLite has no
# data-modifying CTEs; it uses FINISH + CLAIM in one transaction instead.
# $1 job_id, $2 worker, $3 status, $4 result (JSON text), $5 error, $6 traceback, $7 exit_code,
# $8 now, $9 lease expiry, $10 claim (bool), $11 kinds (text[], the filtered variant only).
_FINISH_AND_CLAIM_PG = """
WITH done AS (
    UPDATE jobs SET status = $3, result = $4,
        error = CASE WHEN $3::varchar = 'succeeded' THEN error ELSE $5 END, traceback = $6,
        exit_code = $7, lease_expires_at = NULL, finished_at = $8, updated_at = $8
    WHERE id = $1 AND lease_owner = $2 AND status IN ('running', 'cancel_requested')
    RETURNING id
), next AS (
    UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = $2,
        lease_expires_at = $9, heartbeat_at = $8, started_at = coalesce(started_at, $8),
        updated_at = $8
    WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $8{kinds}
                ORDER BY priority, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
      AND status = 'queued' AND $10
    RETURNING id, kind, payload, run_id, attempts, max_attempts
)
SELECT (SELECT count(*) FROM done) AS finished,
       next.id, next.kind, next.payload, next.run_id, next.attempts, next.max_attempts
FROM (SELECT 1) AS one LEFT JOIN next ON true
"""
FINISH_AND_CLAIM_PG = _FINISH_AND_CLAIM_PG.format(kinds="")
FINISH_AND_CLAIM_KINDS_PG = _FINISH_AND_CLAIM_PG.format(kinds=" AND kind = ANY($11::text[])")
