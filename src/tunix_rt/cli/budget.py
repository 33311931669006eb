"""``tunix-rt eval budget EVAL_ID`` (or ``eval-budget``): an evaluation's reasoning-budget
analytics."""

from __future__ import annotations

from typing import Any

import orjson
import typer

from tunix_rt.cli.common import cli_session, parse_run_id, run


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _lines(report: Any) -> list[str]:
    lines = [
        f"evaluation {report.evaluation_id} / {report.judge}: {report.judged} of "
        f"{report.n_items} items judged, accuracy {_pct(report.accuracy)}, truncated "
        f"{_pct(report.truncation_rate)} (lengths: {report.token_source})"
    ]
    for name, buckets in (("tokens", report.by_tokens), ("steps", report.by_steps)):
        for b in buckets:
            lines.append(f"{name} {b.lo}-{b.hi - 1}: {b.n} items, accuracy {_pct(b.accuracy)}")
    for point in report.curve:
        lines.append(
            f"budget {point.budget}: accuracy {_pct(point.accuracy)}, "
            f"truncated {_pct(point.truncated)}"
        )
    return lines


def budget_command(
    evaluation_id: str = typer.Argument(..., help="The evaluation (UUID)."),
    budgets: list[int] | None = typer.Option(
        None, "--budget", min=0, help="Token budget for the curve (repeat); default: 12 spread."
    ),
    judge: str | None = typer.Option(None, "--judge", help="Judge (default: the primary)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Accuracy by reasoning length (tokens, steps), truncation rate, accuracy at a budget."""
    from tunix_rt.evaluation.budget_report import budget_report

    eid = parse_run_id(evaluation_id, "evaluation id")

    async def _go() -> Any:
        async with cli_session() as session:
            return await budget_report(
                session=session, evaluation_id=eid, judge=judge, budgets=budgets or []
            )

    report = run(_go)
    if as_json:
        typer.echo(
            orjson.dumps(report.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode()
        )
        return
    for line in _lines(report):
        typer.echo(line)
