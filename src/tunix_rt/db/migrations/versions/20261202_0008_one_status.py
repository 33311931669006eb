"""one source of status: a run's lifecycle lives on its job; evaluations, sweeps and trials
read their run's

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00

Written by hand. Upgrade moves rows before it drops columns: what only the run row held
(exit code, first start, the error a failed or cancelled run showed) goes onto its job; a run
without a job gets one; an evaluation executed in-process (no ``evaluate`` run) and a sweep
cancelled before it started (no ``sweep`` run) get a run and a job carrying their status.
Then the mirrored columns go. Columns are dropped in place (``recreate="never"``): on SQLite a
table copy would drop ``runs`` with its foreign keys on, deleting every dependent row.
Downgrade restores the columns from the jobs (the runs created here stay).
"""

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

from tunix_rt.db.base import JsonDoc, UtcDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = UtcDateTime(timezone=True)
RUNS = sa.table(
    "runs",
    *(sa.column(c) for c in ("name", "kind", "status", "mode", "dataset_key", "model")),
    *(sa.column(c) for c in ("run_dir", "worker_id", "attempts", "exit_code", "error")),
    sa.column("traceback"),
    sa.column("id", sa.Uuid()),
    sa.column("job_id", sa.Uuid()),
    sa.column("config", JsonDoc),
    sa.column("result", JsonDoc),
    *(sa.column(c, _TS) for c in ("created_at", "updated_at", "started_at", "finished_at")),
)
JOBS = sa.table(
    "jobs",
    *(sa.column(c) for c in ("kind", "status", "priority", "attempts", "max_attempts")),
    *(sa.column(c) for c in ("lease_owner", "error", "traceback", "exit_code")),
    sa.column("id", sa.Uuid()),
    sa.column("run_id", sa.Uuid()),
    sa.column("payload", JsonDoc),
    sa.column("result", JsonDoc),
    *(sa.column(c, _TS) for c in ("run_at", "created_at", "updated_at")),
    *(sa.column(c, _TS) for c in ("started_at", "finished_at")),
)
EVALUATIONS = sa.table(
    "evaluations",
    *(sa.column(c) for c in ("eval_set", "primary_judge", "seed", "status", "error")),
    *(sa.column(c) for c in ("dataset_key", "model")),
    sa.column("id", sa.Uuid()),
    sa.column("run_id", sa.Uuid()),
    sa.column("job_run_id", sa.Uuid()),
    sa.column("judges", JsonDoc),
    *(sa.column(c, _TS) for c in ("created_at", "started_at", "finished_at")),
)
SWEEPS = sa.table(
    "tuning_jobs",
    *(sa.column(c) for c in ("name", "dataset_key", "base_model", "status", "error")),
    sa.column("id", sa.Uuid()),
    sa.column("run_id", sa.Uuid()),
    *(sa.column(c, _TS) for c in ("created_at", "started_at", "finished_at")),
)
TRIALS = sa.table(
    "tuning_trials",
    sa.column("status"),
    sa.column("stopped", sa.Boolean()),
    sa.column("created_at", _TS),
    sa.column("finished_at", _TS),
)
TERMINAL = ("succeeded", "failed", "cancelled")
# Dropped per table: (indexes, columns).
DROPPED = {
    "runs": (
        ["ix_runs_status"],
        [
            *("status", "worker_id", "attempts", "exit_code", "error", "traceback", "result"),
            *("updated_at", "started_at", "finished_at"),
        ],
    ),
    "evaluations": (["ix_evaluations_status"], ["status", "error", "started_at", "finished_at"]),
    "tuning_jobs": (["ix_tuning_jobs_status"], ["status", "error", "started_at", "finished_at"]),
    "tuning_trials": ([], ["status"]),
}


def _of(column: str, run_id: Any) -> Any:
    """The run's ``column`` for the job being updated (a correlated subquery)."""
    return sa.select(RUNS.c[column]).where(RUNS.c.id == run_id).scalar_subquery()


def _add_run(bind: sa.Connection, run: dict[str, Any], job: dict[str, Any]) -> uuid.UUID:
    """Insert a run (old columns filled too) and its job carrying ``job['status']``."""
    run_id, job_id = uuid.uuid4(), uuid.uuid4()
    created = run["created_at"]
    updated = job.get("finished_at") or job.get("started_at") or created
    started = job.get("started_at")
    run_dir = str(Path(run.pop("run_dir")) / str(run_id))
    bind.execute(
        sa.insert(RUNS).values(
            id=run_id,
            job_id=job_id,
            status=job["status"],
            mode="sync" if run["kind"] == "evaluate" else "async",
            attempts=0 if started is None else 1,
            updated_at=updated,
            started_at=started,
            finished_at=job.get("finished_at"),
            error=job.get("error"),
            run_dir=run_dir,
            **run,
        )
    )
    bind.execute(
        sa.insert(JOBS).values(
            id=job_id,
            run_id=run_id,
            kind=run["kind"],
            payload=run["config"],
            priority=0,
            attempts=0 if started is None else 1,
            max_attempts=1,
            run_at=created,
            created_at=created,
            updated_at=updated,
            **job,
        )
    )
    return run_id


def _jobs_for_runs(bind: sa.Connection) -> None:
    """Every run gets a job (a run made without one, by hand or by an old test)."""
    has_job = sa.select(JOBS.c.id).where(JOBS.c.run_id == RUNS.c.id).exists()
    for run in bind.execute(sa.select(RUNS).where(~has_job)).mappings().all():
        job_id = uuid.uuid4()
        bind.execute(
            sa.insert(JOBS).values(
                id=job_id,
                run_id=run["id"],
                kind=run["kind"],
                payload=run["config"],
                status=run["status"],
                priority=0,
                attempts=run["attempts"],
                max_attempts=max(run["attempts"], 1),
                lease_owner=run["worker_id"],
                run_at=run["created_at"],
                **{k: run[k] for k in ("error", "traceback", "result", "exit_code")},
                **{k: run[k] for k in ("created_at", "updated_at", "started_at", "finished_at")},
            )
        )
        bind.execute(sa.update(RUNS).where(RUNS.c.id == run["id"]).values(job_id=job_id))


def _runs_onto_jobs(bind: sa.Connection) -> None:
    """What only the run held, onto its job: the value the run showed stays the same."""
    run_id = JOBS.c.run_id
    status = _of("status", run_id)
    bind.execute(
        sa.update(JOBS)
        .where(run_id.is_not(None))
        .values(
            exit_code=_of("exit_code", run_id),
            traceback=_of("traceback", run_id),
            result=_of("result", run_id),
            started_at=sa.func.coalesce(_of("started_at", run_id), JOBS.c.started_at),
            finished_at=sa.func.coalesce(JOBS.c.finished_at, _of("finished_at", run_id)),
            lease_owner=sa.func.coalesce(JOBS.c.lease_owner, _of("worker_id", run_id)),
            # A failed or cancelled run showed exactly its own reason; a success keeps the job's.
            error=sa.case(
                (status.in_(["failed", "cancelled"]), _of("error", run_id)),
                else_=JOBS.c.error,
            ),
        )
    )


def _evaluation_runs(bind: sa.Connection) -> None:
    """An evaluation gets an ``evaluate`` run carrying its status; one that had a run keeps its
    own failure reason (the run said "evaluation failed: " before it)."""
    rows = bind.execute(
        sa.select(EVALUATIONS, RUNS.c.name.label("target"), RUNS.c.run_dir.label("target_dir"))
        .join(RUNS, RUNS.c.id == EVALUATIONS.c.run_id)
        .where(EVALUATIONS.c.job_run_id.is_(None))
    ).mappings()
    for ev in rows.all():
        config = {"evaluation_id": str(ev["id"]), "run_id": str(ev["run_id"])}
        config.update(eval_set=ev["eval_set"], judges=ev["judges"], seed=ev["seed"])
        config.update(primary_judge=ev["primary_judge"])
        run = {
            "kind": "evaluate",
            "name": f"evaluate-{ev['target']}-{ev['eval_set']}"[:200],
            "config": config,
            "dataset_key": ev["dataset_key"],
            "model": ev["model"],
            "run_dir": str(Path(ev["target_dir"]).parent),
            "created_at": ev["created_at"],
        }
        job = {k: ev[k] for k in ("status", "error", "started_at", "finished_at")}
        job_run = _add_run(bind, run, job)
        bind.execute(
            sa.update(EVALUATIONS).where(EVALUATIONS.c.id == ev["id"]).values(job_run_id=job_run)
        )
    failed = sa.select(EVALUATIONS.c.error).where(
        EVALUATIONS.c.job_run_id == JOBS.c.run_id,
        EVALUATIONS.c.status == "failed",
        EVALUATIONS.c.error.is_not(None),
    )
    bind.execute(
        sa.update(JOBS)
        .where(failed.exists(), JOBS.c.status.in_(["failed", "cancelled"]))
        .values(error=failed.limit(1).scalar_subquery())
    )


def _sweep_runs(bind: sa.Connection) -> None:
    """A sweep that left ``created`` without a run (cancelled before it started) gets one."""
    rows = bind.execute(
        sa.select(SWEEPS).where(SWEEPS.c.run_id.is_(None), SWEEPS.c.status != "created")
    ).mappings()
    sweeps = rows.all()
    if not sweeps:
        return
    from tunix_rt.settings import Settings

    # Read fresh, not through the cached get_settings(): a migration must not fix the settings
    # of the process that runs it (tests migrate before they set their environment).
    runs_dir = str((Settings().home / "runs").resolve())
    for sweep in sweeps:
        run = {
            "kind": "sweep",
            "name": f"sweep-{sweep['name']}"[:200],
            "config": {"tuning_job_id": str(sweep["id"])},
            "dataset_key": sweep["dataset_key"],
            "model": sweep["base_model"],
            "run_dir": runs_dir,
            "created_at": sweep["created_at"],
        }
        job = {k: sweep[k] for k in ("status", "error", "started_at", "finished_at")}
        run_id = _add_run(bind, run, job)
        bind.execute(sa.update(SWEEPS).where(SWEEPS.c.id == sweep["id"]).values(run_id=run_id))


def upgrade() -> None:
    with op.batch_alter_table("jobs", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("exit_code", sa.Integer(), nullable=True))
    with op.batch_alter_table("tuning_trials", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("stopped", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    bind = op.get_bind()
    _jobs_for_runs(bind)
    _runs_onto_jobs(bind)
    _evaluation_runs(bind)
    _sweep_runs(bind)
    bind.execute(sa.update(TRIALS).where(TRIALS.c.status == "stopped").values(stopped=True))
    # A trial that ended is scored (or given up on): its finished_at says so.
    bind.execute(
        sa.update(TRIALS)
        .where(TRIALS.c.status.not_in(["queued", "running"]), TRIALS.c.finished_at.is_(None))
        .values(finished_at=TRIALS.c.created_at)
    )
    for table, (indexes, columns) in DROPPED.items():
        with op.batch_alter_table(table, recreate="never") as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
            for column in columns:
                batch_op.drop_column(column)


def _restore(table: str, columns: list[sa.Column[Any]], index: str | None) -> None:
    with op.batch_alter_table(table, recreate="never") as batch_op:
        for column in columns:
            batch_op.add_column(column)
        if index is not None:
            batch_op.create_index(index, ["status"], unique=False)


def _lifecycle(default: str) -> list[sa.Column[Any]]:
    """status (NOT NULL: a default fills the rows, then the update below), error, times."""
    return [
        sa.Column("status", sa.String(32), server_default=default, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
    ]


def _job_of(run_id: Any, column: str) -> Any:
    return sa.select(JOBS.c[column]).where(JOBS.c.run_id == run_id).limit(1).scalar_subquery()


def downgrade() -> None:
    epoch = sa.text("'1970-01-01 00:00:00'")
    text_cols = [sa.Column(c, sa.Text(), nullable=True) for c in ("error", "traceback")]
    _restore(
        "runs",
        [
            sa.Column("status", sa.String(32), server_default="queued", nullable=False),
            sa.Column("worker_id", sa.String(200), nullable=True),
            sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
            sa.Column("exit_code", sa.Integer(), nullable=True),
            *text_cols,
            sa.Column("result", JsonDoc, nullable=True),
            sa.Column("updated_at", _TS, server_default=epoch, nullable=False),
            sa.Column("started_at", _TS, nullable=True),
            sa.Column("finished_at", _TS, nullable=True),
        ],
        "ix_runs_status",
    )
    _restore("evaluations", _lifecycle("queued"), "ix_evaluations_status")
    _restore("tuning_jobs", _lifecycle("created"), "ix_tuning_jobs_status")
    _restore("tuning_trials", _lifecycle("queued")[:1], None)
    bind = op.get_bind()
    copied = {c: _job_of(RUNS.c.id, c) for c in ("status", "attempts", "exit_code", "traceback")}
    copied |= {c: _job_of(RUNS.c.id, c) for c in ("result", "error", "updated_at")}
    copied |= {c: _job_of(RUNS.c.id, c) for c in ("started_at", "finished_at")}
    copied["worker_id"] = _job_of(RUNS.c.id, "lease_owner")
    has_job = sa.select(JOBS.c.id).where(JOBS.c.run_id == RUNS.c.id).exists()
    bind.execute(sa.update(RUNS).where(has_job).values(**copied))
    # A run showed an error only when it failed or was cancelled (its job keeps retry notes).
    ended_badly = RUNS.c.status.in_(["failed", "cancelled"])
    bind.execute(sa.update(RUNS).where(~ended_badly).values(error=None))
    _downgrade_views(bind)
    with op.batch_alter_table("tuning_trials", recreate="never") as batch_op:
        batch_op.drop_column("stopped")
    with op.batch_alter_table("jobs", recreate="never") as batch_op:
        batch_op.drop_column("exit_code")


def _downgrade_views(bind: sa.Connection) -> None:
    """Evaluations, sweeps and trials take their status back from their runs."""
    run = RUNS.c
    for table, key in ((EVALUATIONS, "job_run_id"), (SWEEPS, "run_id")):
        of = {
            c: sa.select(run[c]).where(run.id == table.c[key]).scalar_subquery()
            for c in ("status", "error", "started_at", "finished_at")
        }
        bind.execute(sa.update(table).where(table.c[key].is_not(None)).values(**of))
    mapped = sa.case(
        (EVALUATIONS.c.status == "cancel_requested", "running"),
        (EVALUATIONS.c.status == "cancelled", "failed"),
        else_=EVALUATIONS.c.status,
    )
    bind.execute(sa.update(EVALUATIONS).values(status=mapped))
    trials = sa.table(
        "tuning_trials",
        sa.column("status"),
        sa.column("stopped", sa.Boolean()),
        sa.column("run_id", sa.Uuid()),
        sa.column("metric_value"),
        sa.column("finished_at", _TS),
    )
    run_status = sa.select(run.status).where(run.id == trials.c.run_id).scalar_subquery()
    derived = sa.case(
        (trials.c.stopped.is_(True), "stopped"),
        (run_status == "cancel_requested", "running"),
        (run_status != "succeeded", sa.func.coalesce(run_status, "queued")),
        (trials.c.finished_at.is_(None), "running"),
        (trials.c.metric_value.is_(None), "failed"),
        else_="succeeded",
    )
    bind.execute(sa.update(trials).values(status=derived))
