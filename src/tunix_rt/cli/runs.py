"""``tunix-rt worker`` and ``tunix-rt runs list|show|logs|cancel``."""

from __future__ import annotations

import asyncio
import logging
import signal

import orjson
import typer

from tunix_rt.cli.common import (
    cli_session,
    fail,
    load_settings,
    parse_run_id,
    run,
    sessionmaker_for,
)

app = typer.Typer(help="Runs: list, show, follow logs, cancel.", no_args_is_help=True)


def worker(
    concurrency: int = typer.Option(1, "--concurrency", "-c", min=1, help="Jobs run at once."),
    lease_s: float = typer.Option(30.0, min=0.5, help="Lease length; renewed by heartbeats."),
    heartbeat_s: float = typer.Option(5.0, min=0.1, help="Seconds between lease renewals."),
    reap_interval_s: float = typer.Option(10.0, min=0.1, help="Seconds between reaper passes."),
    poll_max_s: float = typer.Option(1.0, min=0.01, help="Longest idle wait between claims."),
    shutdown_grace_s: float = typer.Option(30.0, min=0, help="SIGTERM: time to finish jobs."),
    kill_grace_s: float = typer.Option(10.0, min=0, help="Cancel: SIGTERM-to-SIGKILL delay."),
    kind: list[str] | None = typer.Option(None, "--kind", help="Only claim these job kinds."),
    metrics_port: int | None = typer.Option(None, help="Serve Prometheus metrics on this port."),
) -> None:
    """Run a job worker until SIGTERM (finish running jobs) or a second SIGTERM (hand back)."""
    from tunix_rt.runs.worker import WorkerConfig

    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if heartbeat_s >= lease_s:
        raise fail("--heartbeat-s must be shorter than --lease-s", 2)
    config = WorkerConfig(
        concurrency=concurrency,
        lease_s=lease_s,
        heartbeat_s=heartbeat_s,
        reap_interval_s=reap_interval_s,
        poll_max_s=poll_max_s,
        shutdown_grace_s=shutdown_grace_s,
        kill_grace_s=kill_grace_s,
        kinds=tuple(kind) if kind else None,
    )
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=settings.host)
    asyncio.run(_run_worker(config))


async def _run_worker(config: object) -> None:
    from tunix_rt.jobs import HANDLERS
    from tunix_rt.runs.worker import Worker, WorkerConfig, create_worker_engine
    from tunix_rt.settings import get_settings

    assert isinstance(config, WorkerConfig)
    settings = get_settings()
    async with sessionmaker_for(settings, engine=create_worker_engine(settings)) as maker:
        worker = Worker(settings=settings, sessionmaker=maker, handlers=HANDLERS, config=config)
        loop = asyncio.get_running_loop()
        signals = {"count": 0}

        def on_signal() -> None:
            signals["count"] += 1
            worker.request_stop(hand_back=signals["count"] > 1)

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal)
        logging.getLogger(__name__).info("worker %s started", worker.worker_id)
        await worker.run()


@app.command("list")
def list_runs(
    status: str | None = typer.Option(None, help="Only runs in this status."),
    kind: str | None = typer.Option(None, help="Only runs of this kind."),
    limit: int = typer.Option(20, min=1, max=500),
) -> None:
    """The newest runs, one per line."""
    from tunix_rt.runs import service

    async def _go() -> list[str]:
        async with cli_session() as session:
            filters = service.RunFilters(status=status, kind=kind)
            rows = await service.list_runs(session=session, filters=filters, limit=limit)
            return [
                f"{r.id}  {r.status:<16} {r.kind:<10} {r.name}  {r.created_at:%Y-%m-%d %H:%M:%S}"
                for r in rows[:limit]
            ]

    for line in run(_go):
        typer.echo(line)


@app.command("show")
def show(run_id: str = typer.Argument(..., help="Run id.")) -> None:
    """Print one run as JSON."""
    from tunix_rt.runs import service
    from tunix_rt.runs.schemas import RunPublic

    rid = parse_run_id(run_id)

    async def _go() -> bytes:
        async with cli_session() as session:
            found = await service.get_run(session=session, run_id=rid)
            return orjson.dumps(
                RunPublic.of(found).model_dump(mode="json"), option=orjson.OPT_INDENT_2
            )

    typer.echo(run(_go).decode())


@app.command("cancel")
def cancel(run_id: str = typer.Argument(..., help="Run id.")) -> None:
    """Cancel a queued or running run (a finished run is an error)."""
    from tunix_rt.runs import service

    rid = parse_run_id(run_id)

    async def _go() -> str:
        async with cli_session() as session:
            return (await service.cancel_run(session=session, run_id=rid)).status

    typer.echo(f"{rid} {run(_go)}")


@app.command("logs")
def logs(
    run_id: str = typer.Argument(..., help="Run id."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing until it ends."),
    since_seq: int = typer.Option(-1, help="Only lines after this sequence number."),
) -> None:
    """Print a run's log lines (stderr lines go to stderr)."""
    from tunix_rt.runs.follow import follow_logs

    rid = parse_run_id(run_id)
    settings = load_settings()

    async def _go() -> str:
        async for line in follow_logs(
            settings=settings, run_id=rid, since_seq=since_seq, follow=follow
        ):
            typer.echo(line.line, err=line.stream == "stderr")
        return ""

    run(_go)
