"""Scorecards: per-judge summaries with uncertainty and breakdowns, from item verdicts (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tunix_rt.evaluation import stats
from tunix_rt.evaluation.judges import JUDGES
from tunix_rt.evaluation.judges.types import JudgeItem, Verdict

BREAKDOWNS = ("section", "category", "difficulty")


@dataclass(frozen=True)
class ItemOutcome:
    """One item and every judge's verdict on it."""

    item: JudgeItem
    verdicts: Mapping[str, Verdict]


def _judge_card(
    outcomes: Sequence[ItemOutcome], judge: str, *, resamples: int, seed: int
) -> dict[str, Any]:
    scores = [o.verdicts[judge].score for o in outcomes]
    scored = [s for s in scores if s is not None]
    summary = stats.summarize(scored, resamples=resamples, seed=seed)
    spec = JUDGES[judge]
    card: dict[str, Any] = {
        "version": spec.version,
        "score_range": list(spec.score_range),
        "scored": len(scored),
        "skipped": len(scores) - len(scored),
        **summary.to_json(),
        "labels": dict(Counter(o.verdicts[judge].label for o in outcomes).most_common()),
    }
    for field in BREAKDOWNS:
        groups: dict[str, list[float]] = defaultdict(list)
        for outcome in outcomes:
            key = getattr(outcome.item, field)
            score = outcome.verdicts[judge].score
            if key is not None and score is not None:
                groups[key].append(score)
        card[f"by_{field}"] = {
            key: stats.summarize(values, resamples=resamples, seed=seed).to_json()
            for key, values in sorted(groups.items())
        }
    return card


def build_scorecard(
    outcomes: Sequence[ItemOutcome],
    *,
    judges: Sequence[str],
    primary: str,
    resamples: int = stats.DEFAULT_RESAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """The scorecard: n items / scored / skipped, the primary score with stddev and 95% CI,
    and for every judge its summary, label counts and breakdowns by section/category/difficulty.
    """
    cards = {name: _judge_card(outcomes, name, resamples=resamples, seed=seed) for name in judges}
    main = cards[primary]
    return {
        "primary_judge": primary,
        "n_items": len(outcomes),
        "scored": main["scored"],
        "skipped": main["skipped"],
        "primary_score": main["mean"],
        "stddev": main["stddev"],
        "ci95": main["ci95"],
        "judges": cards,
        "bootstrap": {"resamples": resamples, "seed": seed, "level": 0.95, "method": "percentile"},
    }
