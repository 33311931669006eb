"""``tunix-rt traces``: import, export, list and show traces."""

from __future__ import annotations

import typer

app = typer.Typer(help="Reasoning traces: import, export, list, show.", no_args_is_help=True)


@app.command("show")
def show(trace_id: str = typer.Argument(..., help="Trace id (UUID).")) -> None:
    """Print one trace as JSON."""
    import uuid

    import orjson

    from tunix_rt.cli.common import cli_session, fail, run
    from tunix_rt.traces import service
    from tunix_rt.traces.schemas import TracePublic

    try:
        tid = uuid.UUID(trace_id)
    except ValueError:
        raise fail(f"not a trace id: {trace_id!r}", 2) from None

    async def _go() -> bytes:
        async with cli_session() as session:
            trace = await service.get_trace(session=session, trace_id=tid)
            return orjson.dumps(TracePublic.model_validate(trace).model_dump(mode="json"))

    typer.echo(run(_go).decode())
