"""``tunix-rt eval-export``: an evaluation's verdicts as OpenTelemetry evaluation events."""

from __future__ import annotations

from pathlib import Path

import typer

from tunix_rt.cli.common import fail, parse_run_id, run


def export_command(
    evaluation_id: str = typer.Argument(..., help="The evaluation (UUID)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output file."),
    fmt: str = typer.Option(
        "otlp-json", "--format", help="otlp-json: gen_ai.evaluation.result events."
    ),
) -> None:
    """Export an evaluation's verdicts as OpenTelemetry gen_ai.evaluation.result events."""
    from tunix_rt.cli.common import cli_session
    from tunix_rt.evaluation.otel_events import export_events

    if fmt != "otlp-json":
        raise fail(f"format: {fmt!r} is not one of otlp-json", 2)
    eid = parse_run_id(evaluation_id, "evaluation id")

    async def _go() -> bytes:
        async with cli_session() as session:
            return await export_events(session=session, evaluation_id=eid)

    data = run(_go)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}", 2) from None
    typer.echo(f"wrote evaluation {eid} as OTLP JSON events ({len(data)} bytes) to {out}")
