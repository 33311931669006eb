"""Reasoning-budget analytics on a stored evaluation with known generation lengths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import make_evaluation, make_run

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.evaluation import budget
from tunix_rt.evaluation.models import Evaluation, EvaluationResult
from tunix_rt.settings import Settings
from tunix_rt.training import tiny


def _steps(n: int, answer: str) -> str:
    lines = "".join(f"{k}. step {k}\n" for k in range(1, n + 1))
    return f"Reasoning:\n{lines}Answer: {answer}"


# (tokens, steps, truncated, answer_accuracy score, step_check score)
ITEMS = [
    (10, 1, False, 1.0, 1.0),
    (30, 2, False, 1.0, None),
    (50, 3, False, 0.0, 0.0),
    (64, 4, True, 0.0, 0.0),
]


async def _stored(
    session: AsyncSession, home: Path, *, tokens: bool = True, items: list[Any] | None = None
) -> Evaluation:
    run = await make_run(session, home)
    run.config = {**run.config, "style": "numbered", "template": "chatml"}
    judges = ["answer_accuracy", "step_check"]
    evaluation = await make_evaluation(
        session, run, eval_set="e", judges=judges, primary_judge="answer_accuracy"
    )
    for position, (n, steps, truncated, score, step_score) in enumerate(items or ITEMS):
        verdicts: dict[str, Any] = {
            "answer_accuracy": {"score": score, "label": "x"},
            "step_check": {"score": step_score, "label": "y"},
        }
        session.add(
            EvaluationResult(
                evaluation_id=evaluation.id, item_id=f"q{position}", position=position,
                prompt="p", expected="1", prediction=_steps(steps, "1"), truncated=truncated,
                tokens=n if tokens else None, label="x", score=score, verdicts=verdicts,
            )
        )  # fmt: skip
    await session.flush()
    return evaluation


async def test_budget_report_of_known_lengths(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    evaluation = await _stored(session, home)
    response = await client.get(
        f"/api/tunix/evaluations/{evaluation.id}/budget",
        params=[("budgets", 20), ("budgets", 40), ("budgets", 64)],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["n_items"], report["judged"], report["token_source"]) == (4, 4, "stored")
    assert report["accuracy"] == 0.5
    assert report["truncation_rate"] == 0.25
    assert report["curve"] == [
        {"budget": 20, "accuracy": 0.25, "truncated": 0.75},
        {"budget": 40, "accuracy": 0.5, "truncated": 0.5},
        {"budget": 64, "accuracy": 0.5, "truncated": 0.25},
    ]
    by_tokens = {(b["lo"], b["hi"]): (b["n"], b["accuracy"]) for b in report["by_tokens"]}
    assert by_tokens[(0, 20)] == (1, 1.0)
    assert by_tokens[(60, 80)] == (1, 0.0)
    by_steps = {b["lo"]: (b["n"], b["accuracy"]) for b in report["by_steps"]}
    assert by_steps == {0: (0, None), 1: (1, 1.0), 2: (1, 1.0), 3: (1, 0.0), 4: (1, 0.0)}


async def test_another_judge_leaves_its_skipped_items_out(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    evaluation = await _stored(session, home)
    url = f"/api/tunix/evaluations/{evaluation.id}/budget"
    report = (await client.get(url, params={"judge": "step_check", "budgets": 64})).json()
    assert report["judge"] == "step_check"
    assert report["judged"] == 3
    assert report["accuracy"] == pytest.approx(1 / 3)
    refused = await client.get(url, params={"judge": "trace_format"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["judge"]


async def test_default_curve_spans_the_observed_lengths(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    evaluation = await _stored(session, home)
    report = (await client.get(f"/api/tunix/evaluations/{evaluation.id}/budget")).json()
    budgets = [p["budget"] for p in report["curve"]]
    assert budgets[0] == 10
    assert budgets[-1] == 64
    assert report["curve"][-1]["accuracy"] == 0.5


async def test_items_stored_without_lengths_are_measured_with_the_runs_tokenizer(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    evaluation = await _stored(session, home, tokens=False)
    url = f"/api/tunix/evaluations/{evaluation.id}/budget"
    approx = (await client.get(url)).json()
    assert approx["token_source"] == "approximate"  # no tokenizer beside the model
    assert approx["curve"][-1]["budget"] == len(_steps(4, "1"))
    run_dir = Path((await client.get(f"/api/tunix/runs/{evaluation.run_id}")).json()["run_dir"])
    texts = [_steps(4, "1")]
    tok = tiny.build_tokenizer(texts, template=ChatTemplate.CHATML, style=TraceStyle.NUMBERED)
    tok.save_pretrained(run_dir / "final")
    measured = (await client.get(url)).json()
    assert measured["token_source"] == "tokenizer"
    longest = len(tok(_steps(4, "1"), add_special_tokens=False)["input_ids"])
    assert measured["curve"][-1]["budget"] == longest


async def test_unknown_evaluation_is_404(client: httpx.AsyncClient, settings: Settings) -> None:
    response = await client.get(
        "/api/tunix/evaluations/5d0c1d47-0000-4000-8000-000000000000/budget"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("top", "buckets", "width"), [(1, 6, 1), (7, 6, 2), (65, 6, 20), (700, 6, 200), (5, 6, 1)]
)
def test_bucket_widths_are_round(top: int, buckets: int, width: int) -> None:
    assert budget._width(top, buckets) == width


def test_an_empty_evaluation_has_no_buckets_or_curve() -> None:
    assert budget.by_length([], [], 6) == []
    assert budget.default_budgets([]) == []
    assert budget.accuracy_at([], 10) is None


async def test_the_leaderboard_sorts_and_filters_by_accuracy_at_a_budget(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    short = await _stored(session, home)  # 0.5 overall, 0.5 at 40 tokens
    verbose = await _stored(session, home, items=[(100, 5, False, 1.0, 1.0)] * 4)  # 1.0, 0 at 40
    unmeasured = await _stored(session, home, tokens=False)
    params: dict[str, Any] = {"budget": 40, "sort": "budget"}
    rows = (await client.get("/api/tunix/evaluations", params=params)).json()["data"]
    order = [(r["evaluation_id"], r["budget_accuracy"]) for r in rows]
    assert order == [(str(short.id), 0.5), (str(verbose.id), 0.0), (str(unmeasured.id), None)]
    assert {r["budget"] for r in rows} == {40}
    floor = {**params, "min_budget_accuracy": 0.4}
    floored = (await client.get("/api/tunix/evaluations", params=floor)).json()
    assert [r["evaluation_id"] for r in floored["data"]] == [str(short.id)]
    assert floored["pagination"]["total"] == 1
    plain = (await client.get("/api/tunix/evaluations", params={"limit": 2})).json()
    assert {(r["budget"], r["budget_accuracy"]) for r in plain["data"]} == {(None, None)}
    assert plain["pagination"]["total"] == 3
    refused = await client.get("/api/tunix/evaluations", params={"sort": "budget"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["budget"]
