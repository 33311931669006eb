"""Revision 0008 moves every status onto the jobs: a database at 0007 holding runs (with and
without a job), evaluations (with and without an ``evaluate`` run) and sweeps with trials reads
the same statuses through the services after the upgrade."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker
from tunix_rt.evaluation import service as evaluation_service
from tunix_rt.runs import service as run_service
from tunix_rt.settings import Settings
from tunix_rt.tuning import service as tuning_service

T0 = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
UUIDS = {"id", "job_id", "run_id", "job_run_id", "tuning_job_id", "best_trial_id"}
LOST = "lease expired: its worker stopped heartbeating (crashed, killed or partitioned)"


def _t(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
async def old_engine(db_backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh database migrated to the previous head, 0007."""
    base = os.environ.get("TUNIX_RT_TEST_POSTGRES_URL", "")
    if db_backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    else:
        base = Settings(database_url=base).database_url
        name = f"tunix_rt_mig_{uuid.uuid4().hex[:12]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    await migrate.upgrade(engine, "0007")
    yield engine
    await engine.dispose()
    if db_backend != "sqlite":
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        await admin.dispose()


class Old:
    """Rows written through the 0007 schema (reflected), as the old code left them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.meta = sa.MetaData()
        self.meta.reflect(conn)
        for table in self.meta.tables.values():  # SQLite reflects a UUID as CHAR(32)
            for column in table.columns:
                if column.name in UUIDS:
                    column.type = sa.Uuid()

    def add(self, table: str, **values: Any) -> uuid.UUID:
        values.setdefault("id", uuid.uuid4())
        self.conn.execute(self.meta.tables[table].insert().values(**values))
        return uuid.UUID(str(values["id"]))

    def run(
        self, kind: str = "train", *, job: dict[str, Any] | None = None, **run: Any
    ) -> uuid.UUID:
        """A run and (unless ``job`` is None) its job, mirrored as the old queue did."""
        run.setdefault("status", "queued")
        run.setdefault("attempts", 0)
        run_id = uuid.uuid4()
        job_id = uuid.uuid4() if job is not None else None
        self.add(
            "runs",
            id=run_id,
            job_id=job_id,
            name=f"{kind}-{run_id.hex[:6]}",
            kind=kind,
            mode="async",
            config={"k": kind},
            run_dir=f"/data/runs/{run_id}",
            created_at=T0,
            updated_at=_t(9),
            **run,
        )
        if job is not None:
            job.setdefault("status", run["status"])
            job.setdefault("attempts", run["attempts"])
            self.add(
                "jobs",
                id=job_id,
                run_id=run_id,
                kind=kind,
                payload={},
                priority=0,
                max_attempts=3,
                run_at=T0,
                created_at=T0,
                updated_at=_t(9),
                **job,
            )
        return run_id

    def read(self, table: str, row_id: uuid.UUID, *columns: str) -> dict[str, Any]:
        t = self.meta.tables[table]
        row = self.conn.execute(sa.select(*(t.c[c] for c in columns)).where(t.c.id == row_id))
        return _naive(dict(row.mappings().one()))


def _naive(values: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as naive UTC (SQLite returns naive, PostgreSQL aware)."""
    out = {}
    for key, value in values.items():
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        out[key] = value
    return out


RUN_FIELDS = ("status", "attempts", "worker_id", "exit_code", "error", "traceback", "result")
RUN_FIELDS += ("started_at", "finished_at")


def _seed_runs(old: Old) -> dict[str, uuid.UUID]:
    running = {"worker_id": "w2", "started_at": _t(1)}
    done = {"started_at": _t(1), "finished_at": _t(5)}
    return {
        "queued": old.run(job={}),
        # Its first attempt's lease was lost: the job holds the note, the run no error.
        "retrying": old.run(
            status="running",
            attempts=2,
            **running,
            job={"lease_owner": "w2", "error": LOST, "started_at": _t(3)},
        ),
        "ok_after_lost": old.run(
            status="succeeded",
            attempts=2,
            exit_code=0,
            result={"steps": 4},
            worker_id="w2",
            **done,
            job={"lease_owner": "w2", "error": LOST, "result": {"steps": 4}, **done},
        ),
        "failed": old.run(
            status="failed",
            attempts=1,
            exit_code=3,
            error="boom",
            traceback="Traceback: boom",
            worker_id="w1",
            **done,
            job={"lease_owner": "w1", "error": "boom", "traceback": "Traceback: boom", **done},
        ),
        "cancelled": old.run(status="cancelled", finished_at=_t(2), job={"finished_at": _t(2)}),
        "cancel_requested": old.run(
            status="cancel_requested", attempts=1, **running, job={"lease_owner": "w2"}
        ),
        # A run row with no job (made by hand or an old test).
        "no_job": old.run(status="succeeded", attempts=1, worker_id="w1", **done, job=None),
    }


EVAL_FIELDS = ("status", "error")


def _seed_evaluations(old: Old, target: uuid.UUID) -> dict[str, uuid.UUID]:
    base = {"run_id": target, "eval_set": "adds", "judges": ["format"], "primary_judge": "format"}
    base |= {"seed": 0, "created_at": T0}
    done = {"started_at": _t(1), "finished_at": _t(5)}
    ok_run = old.run("evaluate", status="succeeded", attempts=1, **done, job={**done})
    failed = {"status": "failed", "error": "evaluation failed: no predictions", **done}
    failed_run = old.run("evaluate", attempts=1, **failed, job={**failed})
    return {
        "queued": old.add(
            "evaluations", status="queued", job_run_id=old.run("evaluate", job={}), **base
        ),
        "with_run_ok": old.add(
            "evaluations", status="succeeded", job_run_id=ok_run, **base, **done
        ),
        "with_run_failed": old.add(
            "evaluations",
            status="failed",
            error="no predictions",
            job_run_id=failed_run,
            **base,
            **done,
        ),
        # ``tunix-rt eval`` executed these in-process: no evaluate run.
        "cli_ok": old.add("evaluations", status="succeeded", **base, **done),
        "cli_failed": old.add(
            "evaluations", status="failed", error="generation exited with 1", **base, **done
        ),
    }


def _sweep(old: Old, status: str, **values: Any) -> uuid.UUID:
    return old.add(
        "tuning_jobs",
        name=f"sweep-{uuid.uuid4().hex[:6]}",
        dataset_key="arith@1",
        base_model="tiny-llama",
        base_config={},
        search_space={},
        metric="loss",
        mode="min",
        num_samples=4,
        max_concurrent_trials=1,
        scheduler="fifo",
        seed=0,
        status=status,
        created_at=T0,
        **values,
    )


def _seed_sweeps(old: Old) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    done = {"started_at": _t(1), "finished_at": _t(5)}
    no_trial = "no trial produced a finite loss (driver exit code 0)"
    failed = {"status": "failed", "error": no_trial, **done}
    sweeps = {
        "running": _sweep(
            old, "running", started_at=_t(1), run_id=old.run("sweep", status="running", job={})
        ),
        "created": _sweep(old, "created"),
        "cancelled_unstarted": _sweep(old, "cancelled", finished_at=_t(2)),
        "failed": _sweep(old, **failed, run_id=old.run("sweep", **failed, job={**done})),
    }
    trial_runs = {
        "queued": ("queued", {}),
        "running": ("running", {}),
        "scoring": ("running", {"run": "succeeded"}),
        "succeeded": ("succeeded", {"metric_value": 0.5, "finished_at": _t(6)}),
        "no_metric": (
            "failed",
            {"error": "run succeeded", "finished_at": _t(6), "run": "succeeded"},
        ),
        "run_failed": ("failed", {"error": "run failed", "finished_at": _t(6), "run": "failed"}),
        "stopped": ("stopped", {"finished_at": _t(6), "run": "cancelled"}),
        "cancelled": ("cancelled", {"finished_at": _t(6), "run": "cancelled"}),
    }
    trials = {}
    for n, (name, (status, values)) in enumerate(trial_runs.items()):
        run_status = values.pop("run", status)
        run_id = old.run(status=run_status, job={})
        trials[name] = old.add(
            "tuning_trials",
            tuning_job_id=sweeps["running"],
            ray_trial_id=f"t{n}",
            params={},
            run_id=run_id,
            status=status,
            created_at=_t(n),
            **values,
        )
    return sweeps, trials


def _seed(conn: Connection) -> dict[str, Any]:
    old = Old(conn)
    runs = _seed_runs(old)
    evaluations = _seed_evaluations(old, runs["ok_after_lost"])
    sweeps, trials = _seed_sweeps(old)
    return {
        "runs": {k: (i, old.read("runs", i, *RUN_FIELDS)) for k, i in runs.items()},
        "evaluations": {
            k: (i, old.read("evaluations", i, *EVAL_FIELDS, "started_at", "finished_at"))
            for k, i in evaluations.items()
        },
        "sweeps": {
            k: (i, old.read("tuning_jobs", i, "status", "error")) for k, i in sweeps.items()
        },
        "trials": {
            k: (i, old.read("tuning_trials", i, "status", "error")) for k, i in trials.items()
        },
    }


def _of(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return _naive({f: getattr(row, f) for f in fields})


async def test_every_status_reads_the_same_after_the_upgrade(old_engine: AsyncEngine) -> None:
    async with old_engine.begin() as conn:
        before = await conn.run_sync(_seed)
    await migrate.upgrade(old_engine)
    assert await migrate.is_up_to_date(old_engine)
    maker = create_sessionmaker(old_engine)
    async with maker() as session:
        for name, (run_id, old) in before["runs"].items():
            run = await run_service.get_run(session=session, run_id=run_id)
            assert _of(run, RUN_FIELDS) == old, name
        for name, (evaluation_id, old) in before["evaluations"].items():
            evaluation = await evaluation_service.get_evaluation(
                session=session, evaluation_id=evaluation_id
            )
            assert evaluation.job_run is not None, name  # every evaluation has its run now
            # In-process evaluations' times move onto their new runs; others had their own.
            fields = EVAL_FIELDS
            fields += ("started_at", "finished_at") if name.startswith("cli") else ()
            assert _of(evaluation, fields) == {f: old[f] for f in fields}, name
        for name, (sweep_id, old) in before["sweeps"].items():
            sweep = await tuning_service.get_tuning_job(session=session, job_id=sweep_id)
            assert _of(sweep, ("status", "error")) == old, name
        trials = await tuning_service.list_trials(
            session=session, job_id=before["sweeps"]["running"][0]
        )
        by_id = {t.id: t for t in trials}
        for name, (trial_id, old) in before["trials"].items():
            assert _of(by_id[trial_id], ("status", "error")) == old, name
        # The leaderboard's filter (succeeded evaluations) joins the runs' jobs.
        latest = await evaluation_service.latest_evaluation(
            session=session, run_id=before["runs"]["ok_after_lost"][0], succeeded_only=True
        )
        assert latest.status == "succeeded"
        succeeded = await run_service.list_runs(
            session=session, filters=run_service.RunFilters(status="succeeded", kind="train")
        )
        assert before["runs"]["no_job"][0] in {r.id for r in succeeded}


async def test_downgrade_restores_the_columns(old_engine: AsyncEngine) -> None:
    async with old_engine.begin() as conn:
        before = await conn.run_sync(_seed)
    await migrate.upgrade(old_engine)

    def _down_and_read(conn: Connection) -> dict[str, Any]:
        from alembic import command

        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        old = Old(conn)
        return {k: old.read("runs", i, *RUN_FIELDS) for k, (i, _) in before["runs"].items()}

    async with old_engine.begin() as conn:
        after = await conn.run_sync(_down_and_read)
    assert after == {k: v for k, (_, v) in before["runs"].items()}
