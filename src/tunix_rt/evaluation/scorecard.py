"""Scorecards: per-judge summaries with uncertainty and breakdowns, from item verdicts (pure).

A ``Scorecard`` is stored as JSON on the evaluation row (``model_dump(mode="json")``) and read
back with ``Scorecard.model_validate``; the API returns it as it is stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tunix_rt.evaluation import stats
from tunix_rt.evaluation.judges import JUDGES
from tunix_rt.evaluation.judges.types import JudgeItem, Verdict

BREAKDOWNS = ("section", "category", "difficulty")


@dataclass(frozen=True)
class ItemOutcome:
    """One item and every judge's verdict on it."""

    item: JudgeItem
    verdicts: Mapping[str, Verdict]


class Spread(BaseModel):
    """Mean of the scored items with its sample stddev and percentile-bootstrap 95% CI."""

    model_config = ConfigDict(frozen=True)

    n: int
    mean: float | None
    stddev: float | None
    ci95: tuple[float, float] | None

    @classmethod
    def of(cls, summary: stats.Summary) -> Spread:
        """The JSON-ready form of a ``stats.Summary``."""
        ci = None
        if summary.ci_low is not None and summary.ci_high is not None:
            ci = (summary.ci_low, summary.ci_high)
        return cls(n=summary.n, mean=summary.mean, stddev=summary.stddev, ci95=ci)


class JudgeCard(BaseModel):
    """One judge on the whole eval set: its summary, label counts and breakdowns."""

    model_config = ConfigDict(frozen=True)

    # Field order is the stored JSON's key order (the API returns it as stored).
    version: str
    score_range: tuple[float, float]
    scored: int
    skipped: int
    n: int
    mean: float | None
    stddev: float | None
    ci95: tuple[float, float] | None
    labels: dict[str, int]
    by_section: dict[str, Spread]
    by_category: dict[str, Spread]
    by_difficulty: dict[str, Spread]


class Bootstrap(BaseModel):
    """How the confidence intervals were resampled (so a scorecard can be reproduced)."""

    model_config = ConfigDict(frozen=True)

    resamples: int
    seed: int
    level: float
    method: Literal["percentile"]


class Scorecard(BaseModel):
    """An evaluation's scores: the primary judge's headline and every judge's card."""

    model_config = ConfigDict(frozen=True)

    primary_judge: str
    n_items: int
    scored: int
    skipped: int
    primary_score: float | None
    stddev: float | None
    ci95: tuple[float, float] | None
    judges: dict[str, JudgeCard]
    bootstrap: Bootstrap

    def mean_of(self, judge: str) -> float | None:
        """The judge's mean score; None when it did not judge or scored nothing."""
        card = self.judges.get(judge)
        return None if card is None else card.mean


def _breakdown(
    outcomes: Sequence[ItemOutcome], judge: str, field: str, *, resamples: int, seed: int
) -> dict[str, Spread]:
    groups: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        key = getattr(outcome.item, field)
        score = outcome.verdicts[judge].score
        if key is not None and score is not None:
            groups[key].append(score)
    return {
        key: Spread.of(stats.summarize(values, resamples=resamples, seed=seed))
        for key, values in sorted(groups.items())
    }


def _judge_card(
    outcomes: Sequence[ItemOutcome], judge: str, *, resamples: int, seed: int
) -> JudgeCard:
    scores = [o.verdicts[judge].score for o in outcomes]
    scored = [s for s in scores if s is not None]
    summary = Spread.of(stats.summarize(scored, resamples=resamples, seed=seed))
    spec = JUDGES[judge]
    by = {
        field: _breakdown(outcomes, judge, field, resamples=resamples, seed=seed)
        for field in BREAKDOWNS
    }
    return JudgeCard(
        version=spec.version,
        score_range=spec.score_range,
        scored=len(scored),
        skipped=len(scores) - len(scored),
        n=summary.n,
        mean=summary.mean,
        stddev=summary.stddev,
        ci95=summary.ci95,
        labels=dict(Counter(o.verdicts[judge].label for o in outcomes).most_common()),
        by_section=by["section"],
        by_category=by["category"],
        by_difficulty=by["difficulty"],
    )


def build_scorecard(
    outcomes: Sequence[ItemOutcome],
    *,
    judges: Sequence[str],
    primary: str,
    resamples: int = stats.DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Scorecard:
    """The scorecard: n items / scored / skipped, the primary score with stddev and 95% CI,
    and for every judge its summary, label counts and breakdowns by section/category/difficulty.
    """
    cards = {name: _judge_card(outcomes, name, resamples=resamples, seed=seed) for name in judges}
    main = cards[primary]
    return Scorecard(
        primary_judge=primary,
        n_items=len(outcomes),
        scored=main.scored,
        skipped=main.skipped,
        primary_score=main.mean,
        stddev=main.stddev,
        ci95=main.ci95,
        judges=cards,
        bootstrap=Bootstrap(resamples=resamples, seed=seed, level=0.95, method="percentile"),
    )
