"""``tunix-rt eval`` (evaluate a run or an external prediction file here; twice to check
determinism) and ``tunix-rt compare``."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import orjson
import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.cli.common import fail, load_settings, parse_run_id, run, sessionmaker_for
from tunix_rt.settings import Settings


def _echo(line: str) -> None:
    typer.echo(line, err=True)


async def _claim_here(session: AsyncSession, created: Any) -> Any:
    """Claim a just-recorded evaluation's job in the transaction that made it, so no worker
    can take it first."""
    from tunix_rt.runs import queue
    from tunix_rt.runs.worker import default_worker_id

    job_run = created.job_run
    assert job_run is not None
    assert job_run.job_id is not None
    worker_id = default_worker_id("-eval")
    job = await queue.claim_job(
        session=session, job_id=job_run.job_id, worker_id=worker_id, lease_s=60.0
    )
    assert job is not None
    return job, worker_id


async def _execute_claimed(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    evaluation_id: uuid.UUID,
    claim: Any,
) -> tuple[Any, dict[str, Any]]:
    """Run a claimed ``evaluate`` job here; the stored evaluation and its verdicts by item."""
    from tunix_rt.evaluation import service
    from tunix_rt.jobs.evaluate import evaluate_job
    from tunix_rt.runs.execution import execute_here
    from tunix_rt.runs.models import JobStatus

    job, worker_id = claim
    outcome = await execute_here(
        job,
        handlers={"evaluate": evaluate_job},
        settings=settings,
        sessionmaker=maker,
        worker_id=worker_id,
        echo=_echo,
    )
    if outcome["status"] != JobStatus.SUCCEEDED:
        raise fail(f"evaluation {evaluation_id} failed: {outcome.get('error')}", 1)
    async with maker() as session:
        evaluation = await service.get_evaluation(session=session, evaluation_id=evaluation_id)
        results = await service.all_results(session=session, evaluation_id=evaluation.id)
        verdicts = {r.item_id: r.verdicts for r in results}
    return evaluation, verdicts


async def _evaluate_once(
    maker: async_sessionmaker[AsyncSession], settings: Settings, run_id: uuid.UUID, body: Any
) -> tuple[Any, dict[str, Any]]:
    """Record the evaluation with its ``evaluate`` run, then claim and execute that job here."""
    from tunix_rt.db.session import session_scope
    from tunix_rt.evaluation import service

    async with session_scope(maker) as session:
        created = await service.request_evaluation(
            session=session, settings=settings, run_id=run_id, request=body, mode="sync"
        )
        claim = await _claim_here(session, created)
    return await _execute_claimed(maker, settings, created.id, claim)


async def _evaluate_external(
    maker: async_sessionmaker[AsyncSession], settings: Settings, data: bytes, body: Any
) -> tuple[Any, dict[str, Any], Any]:
    """Record an external evaluation (its own run) and execute its job here."""
    from tunix_rt.db.session import session_scope
    from tunix_rt.evaluation.external_runs import request_external_evaluation

    async with session_scope(maker) as session:
        created, report = await request_external_evaluation(
            session=session, settings=settings, data=data, request=body, mode="sync"
        )
        claim = await _claim_here(session, created)
    evaluation, verdicts = await _execute_claimed(maker, settings, created.id, claim)
    return evaluation, verdicts, report


def _report_lines(report: Any, run_id: uuid.UUID) -> list[str]:
    from tunix_rt.evaluation.external import first_ids

    extra = first_ids(report.extra_ids, report.extra)
    missing = first_ids(report.missing_ids, report.missing)
    return [
        f"external run {run_id}: model {report.model_name}, {report.format} file "
        f"{report.source or '-'} (sha256 {report.sha256})",
        f"rows {report.rows}, matched {report.matched} ({report.by_prompt} by prompt), "
        f"not in the eval set {extra}, missing {missing}, truncated {report.truncated}",
    ]


def _differences(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    lines = []
    for item_id in sorted(first.keys() | second.keys()):
        a, b = first.get(item_id, {}), second.get(item_id, {})
        for judge in sorted(a.keys() | b.keys()):
            va, vb = a.get(judge) or {}, b.get(judge) or {}
            keys = ("score", "label", "extracted")
            if any(va.get(k) != vb.get(k) for k in keys):
                shown = ", ".join(f"{k} {va.get(k)!r} -> {vb.get(k)!r}" for k in keys)
                lines.append(f"item {item_id} {judge}: {shown}")
    return lines


def _summary(evaluation: Any) -> str:
    ci = (
        f"[{evaluation.ci_low:.3f}, {evaluation.ci_high:.3f}]"
        if evaluation.ci_low is not None
        else "n/a"
    )
    score = "n/a" if evaluation.primary_score is None else f"{evaluation.primary_score:.4f}"
    return (
        f"evaluation {evaluation.id} on {evaluation.eval_set}: {evaluation.primary_judge} = "
        f"{score} (95% CI {ci}, n={evaluation.n_items})"
    )


def _external_body(
    eval_set: str, fmt: str | None, model_name: str | None, source: str, **judging: Any
) -> Any:
    from pydantic import ValidationError

    from tunix_rt.evaluation.external_runs import ExternalEvaluateRequest

    try:
        return ExternalEvaluateRequest(
            eval_set=eval_set, format=fmt, model_name=model_name, source=source, **judging
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", 2) from None


def eval_command(
    run_id: str | None = typer.Argument(
        None, help="The run to evaluate (UUID); omit with --predictions."
    ),
    eval_set: str = typer.Option(..., "--eval-set", help="Registered eval set name."),
    judge: list[str] | None = typer.Option(
        None, "--judge", help="Judge (repeat); default: answer_correctness, format, step_check."
    ),
    primary: str | None = typer.Option(None, "--primary", help="Headline judge (default: first)."),
    seed: int = typer.Option(0, min=0, help="Bootstrap seed."),
    regenerate: bool = typer.Option(False, help="Generate predictions even if they exist."),
    max_new_tokens: int | None = typer.Option(None, min=1, help="Generation token limit."),
    predictions: Path | None = typer.Option(
        None, "--predictions", help="Judge another system's prediction file instead of a run."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="predictions | legacy | lm_eval | inspect (default: sniffed)."
    ),
    model_name: str | None = typer.Option(
        None, "--model-name", help="External model's name (default: from the file)."
    ),
    allow_missing: bool = typer.Option(
        False, "--allow-missing", help="Score eval-set items the file lacks as empty."
    ),
    style: str | None = typer.Option(
        None, "--style", help="The outputs' trace style, for step_check and format (default: none)."
    ),
    check_determinism: bool = typer.Option(
        False,
        "--check-determinism",
        help="Evaluate twice; fail if a verdict differs (with --regenerate: generation too).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the scorecard as JSON."),
) -> None:
    """Evaluate a run (generation + judges) or another system's predictions (--predictions) on
    an eval set here, store and print the scorecard."""
    from pydantic import ValidationError

    from tunix_rt.evaluation.judges import DEFAULT_JUDGES
    from tunix_rt.evaluation.schemas import EvaluateRequest

    if (run_id is None) == (predictions is None):
        raise fail("give a run id or --predictions FILE (one of them)", 2)
    if predictions is not None and regenerate:
        raise fail("--regenerate needs a run's model; a prediction file is judged as it is", 2)
    judging = {"judges": judge or list(DEFAULT_JUDGES), "primary_judge": primary, "seed": seed}
    external, data = None, b""
    if predictions is not None:
        external = _external_body(eval_set, fmt, model_name, predictions.name, **judging,
                                  allow_missing=allow_missing, style=style)  # fmt: skip
        try:
            data = predictions.read_bytes()
        except OSError as exc:
            raise fail(f"cannot read {predictions}: {exc.strerror or exc}", 2) from None
    elif style is not None:
        raise fail("--style is for --predictions; a run's style is the one it trained with", 2)
    rid = parse_run_id(run_id) if run_id is not None else None
    settings = load_settings()
    try:
        body = EvaluateRequest(
            eval_set=eval_set, **judging, regenerate=regenerate, max_new_tokens=max_new_tokens
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", 2) from None

    async def _go() -> tuple[Any, list[str], list[str]]:
        async with sessionmaker_for(settings) as maker:
            lines: list[str] = []
            if external is not None:
                evaluation, verdicts, report = await _evaluate_external(
                    maker, settings, data, external
                )
                lines = _report_lines(report, evaluation.run_id)
            else:
                assert rid is not None
                evaluation, verdicts = await _evaluate_once(maker, settings, rid, body)
            if not check_determinism:
                return evaluation, lines, []
            _, second = await _evaluate_once(maker, settings, evaluation.run_id, body)
            return evaluation, lines, _differences(verdicts, second)

    evaluation, report_lines, differences = run(_go)
    for line in report_lines:
        typer.echo(line, err=as_json)
    if as_json:
        typer.echo(orjson.dumps(evaluation.scorecard, option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(_summary(evaluation))
    if check_determinism:
        for line in differences:
            typer.echo(line, err=True)
        if differences:
            raise fail(
                f"not deterministic: {len(differences)} verdicts differ between two evaluations", 1
            )
        typer.echo("deterministic: every verdict matched in two evaluations")


def compare_command(
    a: str = typer.Argument(..., help="Run A (UUID)."),
    b: str = typer.Argument(..., help="Run B (UUID)."),
    eval_set: str | None = typer.Option(
        None, "--eval-set", help="Shared eval set (default: latest)."
    ),
    judge: str | None = typer.Option(None, "--judge", help="Judge to compare (default: primary)."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Compare two runs: config diff, loss curves, per-item diff and a paired test."""
    from tunix_rt.cli.common import cli_session
    from tunix_rt.evaluation.compare import compare_runs

    ra, rb = parse_run_id(a), parse_run_id(b)

    async def _go() -> Any:
        async with cli_session() as session:
            return await compare_runs(session=session, a=ra, b=rb, eval_set=eval_set, judge=judge)

    result = run(_go)
    if as_json:
        typer.echo(
            orjson.dumps(result.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode()
        )
        return
    typer.echo(f"A {result.a.name} ({result.a.id})\nB {result.b.name} ({result.b.id})")
    for change in result.config_diff:
        typer.echo(f"config {change.key}: {change.a!r} -> {change.b!r}")
    for side, curve in result.loss_curves.items():
        if curve:
            (first_step, first), (last_step, last) = curve[0], curve[-1]
            typer.echo(
                f"loss {side}: {first:.4f} (step {first_step}) -> {last:.4f} (step {last_step})"
            )
    items = result.items
    if items is None:
        typer.echo(result.items_reason or "no shared evaluation")
        return
    typer.echo(
        f"{items.eval_set} / {items.judge}: A {items.score_a} B {items.score_b} "
        f"(delta {items.delta}); fixed {items.fixed}, broken {items.broken}, both right "
        f"{items.both_right}, both wrong {items.both_wrong}; {items.test} p={items.p_value:.4g}"
    )
    sys.stdout.flush()
