"""``tunix-rt regression baseline|list|check``: named baselines and the CI gate."""

from __future__ import annotations

from typing import Any

import orjson
import typer

from tunix_rt.cli.common import cli_session, fail, parse_run_id, run

app = typer.Typer(help="Regression gates: baselines and checks.", no_args_is_help=True)


@app.command("baseline")
def baseline(
    name: str = typer.Argument(..., help="Baseline name."),
    run_id: str = typer.Argument(..., help="Run whose latest evaluation becomes the baseline."),
    eval_set: str = typer.Option(..., "--eval-set", help="Eval set of that evaluation."),
    metric: str = typer.Option("answer_correctness", help="Judge whose score is gated."),
    dataset_key: str | None = typer.Option(None, help="Dataset key (default: the run's)."),
) -> None:
    """Keep a run's latest successful evaluation on an eval set under a name."""
    from tunix_rt.regression import service
    from tunix_rt.regression.schemas import BaselineCreate, BaselinePublic

    body = BaselineCreate(
        name=name, run_id=parse_run_id(run_id), eval_set=eval_set, metric=metric,
        dataset_key=dataset_key,
    )  # fmt: skip

    async def _go() -> BaselinePublic:
        async with cli_session() as session:
            created = await service.create_baseline(session=session, body=body)
            return BaselinePublic.model_validate(created)

    made = run(_go)
    typer.echo(f"baseline {made.name}: {made.metric} = {made.score:.4f} on {made.eval_set}")


@app.command("list")
def list_baselines() -> None:
    """Every baseline as JSON lines."""
    from tunix_rt.regression import service
    from tunix_rt.regression.schemas import BaselinePublic

    async def _go() -> list[dict[str, Any]]:
        async with cli_session() as session:
            rows = await service.list_baselines(session=session)
            return [BaselinePublic.model_validate(r).model_dump(mode="json") for r in rows]

    for row in run(_go):
        typer.echo(orjson.dumps(row).decode())


@app.command("check")
def check(
    run_id: str = typer.Argument(..., help="The candidate run."),
    baseline_name: str = typer.Option(..., "--baseline", help="Baseline name."),
    tolerance: float = typer.Option(0.02, min=0, max=1, help="Largest drop that passes."),
    alpha: float = typer.Option(0.05, min=0.0, max=1.0, help="Significance level."),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
) -> None:
    """Gate a run: exit 1 when the drop is larger than the tolerance AND significant."""
    from tunix_rt.regression import service
    from tunix_rt.regression.schemas import CheckRequest, CheckResult

    if not 0 < alpha < 1:
        raise fail("--alpha must be between 0 and 1", 2)
    body = CheckRequest(
        baseline=baseline_name, run_id=parse_run_id(run_id), tolerance=tolerance, alpha=alpha
    )

    async def _go() -> CheckResult:
        async with cli_session() as session:
            return await service.check_run(session=session, body=body)

    result = run(_go)
    if as_json:
        typer.echo(orjson.dumps(result.model_dump(mode="json")).decode())
    else:
        typer.echo(
            f"{result.verdict.upper()} {result.metric} on {result.eval_set}: baseline "
            f"{result.baseline_score} -> candidate {result.candidate_score}. {result.reason}"
        )
    if result.verdict == "fail":
        raise typer.Exit(1)
