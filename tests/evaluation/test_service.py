"""Evaluation services on both databases: request, execute, results, failures, auto-evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.evaluation.chat_server import chat_server, closed_port_url
from tests.evaluation.conftest import (
    execute_evaluate_run,
    register,
    run_with_style,
    write_predictions,
)

from tunix_rt.errors import InvalidInput, NotFound
from tunix_rt.evaluation import service
from tunix_rt.evaluation.execute import EvaluationFailed
from tunix_rt.evaluation.models import EvaluationResult, EvaluationScore
from tunix_rt.evaluation.schemas import EvaluateRequest
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings


async def _evaluate(
    session: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    run: Run,
    **request: object,
) -> object:
    """Request an evaluation and execute its run; ``EvaluationFailed`` with the run's error."""
    req = EvaluateRequest.model_validate({"eval_set": "adds", **request})
    evaluation = await service.request_evaluation(
        session=session, settings=settings, run_id=run.id, request=req
    )
    outcome = await execute_evaluate_run(maker, settings, evaluation.id)
    if outcome["status"] != "succeeded":
        raise EvaluationFailed(str(outcome["error"]))
    return await service.get_evaluation(session=session, evaluation_id=evaluation.id)


async def test_evaluation_scores_items_and_stores_a_scorecard(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession], settings: Settings, home: Path
) -> None:
    items = await register(session)
    run = await run_with_style(session, home)
    write_predictions(run, "adds", items, wrong={0, 3, 6})
    evaluation = await _evaluate(session, maker, settings, run)
    got = await service.latest_evaluation(session=session, run_id=run.id)
    assert got.id == evaluation.id  # type: ignore[attr-defined]
    assert got.status == "succeeded"
    assert got.primary_judge == "answer_correctness"
    assert got.primary_score == pytest.approx(17 / 20)
    assert got.ci_low is not None
    assert got.ci_low < 0.85 < (got.ci_high or 0)
    card = got.scorecard or {}
    assert (card["n_items"], card["scored"], card["skipped"]) == (20, 20, 0)
    assert set(card["judges"]) == {"answer_correctness", "format", "step_check"}
    assert card["judges"]["step_check"]["skipped"] == 20  # the steps hold no arithmetic
    assert set(card["judges"]["answer_correctness"]["by_section"]) == {
        "core", "trace_sensitive", "edge_case"
    }  # fmt: skip
    wrong = await service.list_results(
        session=session, evaluation_id=got.id, filters=service.ResultFilters(label="wrong")
    )
    assert [r.item_id for r in wrong] == ["q0", "q3", "q6"]
    assert wrong[0].extracted == "2"
    assert wrong[0].verdicts["format"]["label"] == "well_formed"
    core = await service.list_results(
        session=session,
        evaluation_id=got.id,
        filters=service.ResultFilters(section="core", correct=True),
    )
    assert [r.item_id for r in core] == ["q9", "q12", "q15", "q18"]
    scores = await session.scalar(
        select(func.count())
        .select_from(EvaluationScore)
        .where(EvaluationScore.evaluation_id == got.id)
    )
    assert scores == 3


async def test_request_is_validated_with_every_problem_named(
    session: AsyncSession, settings: Settings, home: Path
) -> None:
    run = await run_with_style(session, home)
    request = EvaluateRequest(
        eval_set="nope", judges=["answer_correctness", "vibes", "llm_judge"], primary_judge="x"
    )
    with pytest.raises(InvalidInput) as caught:
        await service.request_evaluation(
            session=session, settings=settings, run_id=run.id, request=request
        )
    locs = {p.loc for p in caught.value.problems}
    assert locs == {"judges[1]", "primary_judge", "judges", "eval_set"}


async def test_request_for_a_missing_run_is_not_found(
    session: AsyncSession, settings: Settings
) -> None:
    import uuid

    with pytest.raises(NotFound):
        await service.request_evaluation(
            session=session, settings=settings, run_id=uuid.uuid4(),
            request=EvaluateRequest(eval_set="adds"),
        )  # fmt: skip


async def test_request_enqueues_an_evaluate_run(
    session: AsyncSession, settings: Settings, home: Path
) -> None:
    await register(session)
    run = await run_with_style(session, home)
    evaluation = await service.request_evaluation(
        session=session, settings=settings, run_id=run.id, request=EvaluateRequest(eval_set="adds")
    )
    job_run = await session.get(Run, evaluation.job_run_id)
    assert job_run is not None
    assert (job_run.kind, job_run.status) == ("evaluate", "queued")
    assert job_run.config["evaluation_id"] == str(evaluation.id)
    assert evaluation.status == "queued"


async def test_missing_predictions_for_some_items_fail_the_evaluation(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession], settings: Settings, home: Path
) -> None:
    items = await register(session)
    run = await run_with_style(session, home)
    write_predictions(run, "adds", items[:-2], wrong=set())
    with pytest.raises(EvaluationFailed, match="lack 2 of 20 items"):
        await _evaluate(session, maker, settings, run)
    got = await service.latest_evaluation(session=session, run_id=run.id)
    assert got.status == "failed"
    assert "lack 2 of 20" in (got.error or "")
    assert got.scorecard is None


async def test_no_model_and_no_predictions_fails_with_the_reason(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession], settings: Settings, home: Path
) -> None:
    import shutil

    await register(session)
    run = await run_with_style(session, home)
    shutil.rmtree(Path(run.run_dir) / "final")
    with pytest.raises(EvaluationFailed, match="no final model"):
        await _evaluate(session, maker, settings, run)


async def test_unreachable_llm_judge_fails_and_nothing_is_scored(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession], settings: Settings, home: Path
) -> None:
    items = await register(session)
    run = await run_with_style(session, home)
    write_predictions(run, "adds", items, wrong=set())
    judged = settings.model_copy(
        update={"judge_base_url": closed_port_url(), "judge_model": "judge", "judge_timeout_s": 0.5}
    )
    with pytest.raises(EvaluationFailed, match="unreachable after 3 attempts"):
        await _evaluate(session, maker, judged, run, judges=["answer_correctness", "llm_judge"])
    got = await service.latest_evaluation(session=session, run_id=run.id)
    assert got.status == "failed"
    assert "llm_judge endpoint" in (got.error or "")
    assert got.primary_score is None
    count = await session.scalar(
        select(func.count())
        .select_from(EvaluationResult)
        .where(EvaluationResult.evaluation_id == got.id)
    )
    assert count == 0


async def test_llm_judge_scores_through_the_endpoint(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession], settings: Settings, home: Path
) -> None:
    items = await register(session, n=4)
    run = await run_with_style(session, home)
    write_predictions(run, "adds", items, wrong=set())
    reply = '{"score": 0.5, "label": "partial", "reason": "fine"}'
    with chat_server([(200, reply, 0)]) as (url, script):
        judged = settings.model_copy(update={"judge_base_url": url, "judge_model": "judge"})
        await _evaluate(session, maker, judged, run, judges=["llm_judge"])
    got = await service.latest_evaluation(session=session, run_id=run.id)
    assert got.primary_score == pytest.approx(0.5)
    assert len(script.requests) == 4


async def test_auto_evaluation_follows_the_run_config(
    session: AsyncSession, settings: Settings, home: Path
) -> None:
    await register(session)
    plain = await run_with_style(session, home)
    assert (
        await service.enqueue_auto_evaluation(session=session, settings=settings, run=plain) is None
    )
    named = await run_with_style(session, home, eval_set="adds")
    evaluation = await service.enqueue_auto_evaluation(
        session=session, settings=settings, run=named
    )
    assert evaluation is not None
    assert (evaluation.eval_set, evaluation.judges) == (
        "adds",
        ["answer_correctness", "format", "step_check"],
    )
