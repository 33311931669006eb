"""``tunix-rt tune``: create, start, watch, cancel sweeps and promote their best trial."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from tunix_rt.cli.common import cli_session, fail, run
from tunix_rt.settings import get_settings
from tunix_rt.tuning import service
from tunix_rt.tuning.models import TuningJob
from tunix_rt.tuning.schemas import TuningJobCreate

app = typer.Typer(help="Hyperparameter sweeps on Ray Tune.", no_args_is_help=True)


def _load_spec(path: Path) -> TuningJobCreate:
    if not path.is_file():
        raise fail(f"no such file: {path}", 2)
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise fail(f"{path}: not YAML/JSON: {exc}".splitlines()[0], 2) from None
    try:
        return TuningJobCreate.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "spec"
        raise fail(f"{path}: {where}: {err['msg']}", 2) from None


def _print(job: TuningJob, trials: list[Any]) -> None:
    console = Console()
    console.print(
        f"sweep {job.id} [bold]{job.name}[/] {job.status}  metric={job.metric} ({job.mode})"
    )
    table = Table("trial", "params", "status", job.metric, "run")
    for trial in trials:
        best = " *" if trial.id == job.best_trial_id else ""
        value = "-" if trial.metric_value is None else f"{trial.metric_value:.4g}{best}"
        table.add_row(
            trial.ray_trial_id, json.dumps(trial.params), trial.status, value, str(trial.run_id)
        )
    console.print(table)


@app.command("create")
def create(
    spec: Path = typer.Argument(
        ..., help="Sweep spec (YAML/JSON): the POST /api/tuning/jobs body."
    ),
    start: bool = typer.Option(True, help="Enqueue the sweep right away."),
    wait: bool = typer.Option(False, help="Wait until the sweep ends, then print its trials."),
) -> None:
    """Create a sweep (every search-space key must be a training config key) and start it."""
    job_in = _load_spec(spec)

    async def _go() -> uuid.UUID:
        async with cli_session() as session:
            job = await service.create_tuning_job(
                session=session, settings=get_settings(), job_in=job_in
            )
            if start:
                await service.start_tuning_job(
                    session=session, settings=get_settings(), job_id=job.id
                )
            return job.id

    job_id = run(_go)
    typer.echo(
        f"sweep {job_id} {'queued (a worker runs it: tunix-rt worker)' if start else 'created'}"
    )
    if wait:
        show(str(job_id), follow=True)


@app.command("start")
def start_cmd(job_id: str = typer.Argument(..., help="Sweep id.")) -> None:
    """Enqueue a created sweep."""
    jid = _uuid(job_id)

    async def _go() -> None:
        async with cli_session() as session:
            await service.start_tuning_job(session=session, settings=get_settings(), job_id=jid)

    run(_go)
    typer.echo(f"sweep {job_id} queued")


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise fail(f"not a sweep id: {value!r}", 2) from None


@app.command("show")
def show(
    job_id: str = typer.Argument(..., help="Sweep id."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Poll until the sweep ends."),
) -> None:
    """Print a sweep and its trials (the best marked with *)."""
    jid = _uuid(job_id)

    async def _go() -> tuple[TuningJob, list[Any]]:
        while True:
            async with cli_session() as session:
                job = await service.get_tuning_job(session=session, job_id=jid)
                trials = await service.list_trials(session=session, job_id=jid)
            if not follow or job.status in service.FINISHED:
                return job, trials
            await asyncio.sleep(2.0)

    job, trials = run(_go)
    _print(job, trials)


@app.command("list")
def list_cmd(limit: int = typer.Option(20, min=1, max=500)) -> None:
    """List sweeps, newest first."""

    async def _go() -> list[TuningJob]:
        async with cli_session() as session:
            return (await service.list_tuning_jobs(session=session, limit=limit, offset=0))[:limit]

    table = Table("id", "name", "status", "metric", "samples")
    for job in run(_go):
        table.add_row(
            str(job.id), job.name, job.status, f"{job.metric} ({job.mode})", str(job.num_samples)
        )
    Console().print(table)


@app.command("cancel")
def cancel(job_id: str = typer.Argument(..., help="Sweep id.")) -> None:
    """Cancel a sweep: its running trials are stopped, the rest marked cancelled."""
    jid = _uuid(job_id)

    async def _go() -> str:
        async with cli_session() as session:
            job = await service.cancel_tuning_job(
                session=session, settings=get_settings(), job_id=jid
            )
            return str(job.status)

    typer.echo(f"sweep {job_id} {run(_go)}")


@app.command("promote-best")
def promote_best(
    job_id: str = typer.Argument(..., help="Sweep id."),
    family: str = typer.Argument(..., help="Registry family to promote into."),
    alias: list[str] = typer.Option([], "--alias", help="Alias to point at it (repeatable)."),
) -> None:
    """Register the best trial's model in the registry."""
    jid = _uuid(job_id)

    async def _go() -> tuple[str, bool]:
        async with cli_session() as session:
            version, created = await service.promote_best(
                session=session, job_id=jid, family=family, aliases=alias, home=get_settings().home
            )
            return version.label, created

    label, created = run(_go)
    typer.echo(f"{family}/{label} {'registered' if created else 'already registered'}")
