"""Comparing two runs: loss curves, config diff, and the per-item diff on a shared eval set."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.evaluation import stats
from tunix_rt.evaluation.models import (
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    where_status,
)
from tunix_rt.evaluation.service import all_results
from tunix_rt.runs import service as runs_service
from tunix_rt.runs.models import Run, RunMetric

MAX_IDS = 200


class RunBrief(BaseModel):
    """What identifies a compared run."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: str
    dataset_key: str | None
    model: str | None


class ConfigChange(BaseModel):
    """One config key whose value differs (dotted path into nested settings)."""

    key: str
    a: Any
    b: Any


class PairedDiff(BaseModel):
    """Two evaluations' scores on their shared items: outcome counts and a paired test."""

    model_config = ConfigDict(frozen=True)

    shared: int
    fixed: int
    broken: int
    both_right: int
    both_wrong: int
    skipped: int
    score_a: float | None
    score_b: float | None
    delta: float | None
    test: str
    p_value: float
    fixed_ids: list[str]
    broken_ids: list[str]

    @property
    def n_paired(self) -> int:
        """Shared items that both evaluations scored."""
        return self.shared - self.skipped


class ItemDiff(PairedDiff):
    """Both runs' latest evaluations on one eval set, item by item, with a paired test."""

    eval_set: str
    judge: str
    evaluation_a: uuid.UUID
    evaluation_b: uuid.UUID


class Comparison(BaseModel):
    """Run A against run B."""

    a: RunBrief
    b: RunBrief
    loss_curves: dict[str, list[tuple[int | None, float]]]
    config_diff: list[ConfigChange]
    items: ItemDiff | None
    items_reason: str | None = None


def _flatten(doc: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in doc.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def config_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ConfigChange]:
    """Keys whose values differ, sorted; a key missing on one side shows as None there."""
    fa, fb = _flatten(a), _flatten(b)
    return [
        ConfigChange(key=key, a=fa.get(key), b=fb.get(key))
        for key in sorted(fa.keys() | fb.keys())
        if fa.get(key) != fb.get(key)
    ]


async def loss_curve(session: AsyncSession, run_id: uuid.UUID) -> list[tuple[int | None, float]]:
    """(step, loss) of the run's training events."""
    rows = await session.scalars(
        select(RunMetric)
        .where(RunMetric.run_id == run_id, RunMetric.event == "train")
        .order_by(RunMetric.seq)
    )
    curve = []
    for row in rows:
        loss = row.data.get("loss")
        if isinstance(loss, int | float) and not isinstance(loss, bool) and math.isfinite(loss):
            curve.append((row.step, float(loss)))
    return curve


async def _latest(session: AsyncSession, run_id: uuid.UUID) -> dict[str, Evaluation]:
    rows = await session.scalars(
        where_status(select(Evaluation), EvaluationStatus.SUCCEEDED)
        .where(Evaluation.run_id == run_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
    )
    latest: dict[str, Evaluation] = {}
    for evaluation in rows:
        latest.setdefault(evaluation.eval_set, evaluation)
    return latest


def item_scores(results: Sequence[EvaluationResult], judge: str) -> dict[str, float | None]:
    """Each item's score by one judge (None where it skipped the item)."""
    return {r.item_id: (r.verdicts.get(judge) or {}).get("score") for r in results}


def paired_diff(
    a: Mapping[str, float | None], b: Mapping[str, float | None], *, seed: int = 0
) -> PairedDiff:
    """Fixed / broken / both right / both wrong (right = score >= 0.5) and a paired test."""
    shared = [k for k in a if k in b]
    pairs = [(k, a[k], b[k]) for k in shared if a[k] is not None and b[k] is not None]
    xs = [float(x) for _, x, _ in pairs if x is not None]
    ys = [float(y) for _, _, y in pairs if y is not None]
    right_a = [x >= 0.5 for x in xs]
    right_b = [y >= 0.5 for y in ys]
    fixed = [k for (k, _, _), ra, rb in zip(pairs, right_a, right_b, strict=True) if rb and not ra]
    broken = [k for (k, _, _), ra, rb in zip(pairs, right_a, right_b, strict=True) if ra and not rb]
    test, p_value = stats.paired_test(xs, ys, seed=seed)
    mean_a = sum(xs) / len(xs) if xs else None
    mean_b = sum(ys) / len(ys) if ys else None
    return PairedDiff(
        shared=len(shared),
        fixed=len(fixed),
        broken=len(broken),
        both_right=sum(ra and rb for ra, rb in zip(right_a, right_b, strict=True)),
        both_wrong=sum(not ra and not rb for ra, rb in zip(right_a, right_b, strict=True)),
        skipped=len(shared) - len(pairs),
        score_a=mean_a,
        score_b=mean_b,
        delta=None if mean_a is None or mean_b is None else mean_b - mean_a,
        test=test,
        p_value=p_value,
        fixed_ids=fixed[:MAX_IDS],
        broken_ids=broken[:MAX_IDS],
    )


async def _items(
    session: AsyncSession, a: Run, b: Run, eval_set: str | None, judge: str | None
) -> tuple[ItemDiff | None, str | None]:
    ea, eb = await _latest(session, a.id), await _latest(session, b.id)
    shared_sets = [name for name in ea if name in eb]
    if eval_set is not None and eval_set not in shared_sets:
        return None, f"the runs have no successful evaluations both on eval set {eval_set!r}"
    if not shared_sets:
        return None, "the runs have no successful evaluations on a shared eval set"
    name = eval_set or max(shared_sets, key=lambda s: max(ea[s].created_at, eb[s].created_at))
    first, second = ea[name], eb[name]
    chosen = judge or first.primary_judge
    if chosen not in first.judges or chosen not in second.judges:
        raise InvalidInput(
            "invalid comparison", problems=[Problem("judge", f"{chosen!r} did not judge both runs")]
        )
    scores_a = item_scores(await all_results(session=session, evaluation_id=first.id), chosen)
    scores_b = item_scores(await all_results(session=session, evaluation_id=second.id), chosen)
    diff = paired_diff(scores_a, scores_b, seed=first.seed)
    ids = {"evaluation_a": first.id, "evaluation_b": second.id}
    return ItemDiff(eval_set=name, judge=chosen, **ids, **diff.model_dump()), None


def _brief(run: Run) -> RunBrief:
    return RunBrief.model_validate(run, from_attributes=True)


async def compare_runs(
    *,
    session: AsyncSession,
    a: uuid.UUID,
    b: uuid.UUID,
    eval_set: str | None = None,
    judge: str | None = None,
) -> Comparison:
    """Loss curves, config diff and (when both were evaluated on one eval set) the item diff."""
    run_a = await runs_service.get_run(session=session, run_id=a)
    run_b = await runs_service.get_run(session=session, run_id=b)
    items, reason = await _items(session, run_a, run_b, eval_set, judge)
    return Comparison(
        a=_brief(run_a),
        b=_brief(run_b),
        loss_curves={"a": await loss_curve(session, a), "b": await loss_curve(session, b)},
        config_diff=config_diff(run_a.config, run_b.config),
        items=items,
        items_reason=reason,
    )
