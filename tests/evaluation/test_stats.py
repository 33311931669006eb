"""Statistics: bootstrap CIs, stddev, paired tests, and scorecards."""

from __future__ import annotations

import math
import random

import pytest

from tunix_rt.evaluation import stats
from tunix_rt.evaluation.judges.types import JudgeItem, Verdict
from tunix_rt.evaluation.scorecard import ItemOutcome, Scorecard, build_scorecard


def test_bootstrap_ci_is_seeded_and_brackets_the_mean() -> None:
    rng = random.Random(1)
    values = [float(rng.random() < 0.7) for _ in range(200)]
    first = stats.bootstrap_ci(values, seed=3)
    assert first == stats.bootstrap_ci(values, seed=3)
    assert first != stats.bootstrap_ci(values, seed=4)
    assert first is not None
    mean = sum(values) / len(values)
    assert first[0] < mean < first[1]


def test_bootstrap_ci_width_matches_the_normal_approximation() -> None:
    rng = random.Random(0)
    values = [float(rng.random() < 0.5) for _ in range(400)]
    low, high = stats.bootstrap_ci(values, resamples=4000, seed=0) or (0.0, 0.0)
    p = sum(values) / len(values)
    half = 1.96 * math.sqrt(p * (1 - p) / len(values))
    assert (high - low) / 2 == pytest.approx(half, rel=0.12)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([1.0], (1.0, 1.0)), ([0.0, 0.0, 0.0], (0.0, 0.0))],
)
def test_bootstrap_ci_degenerate(values: list[float], expected: tuple[float, float] | None) -> None:
    assert stats.bootstrap_ci(values) == expected


def test_bootstrap_ci_on_a_large_set_stays_bounded() -> None:
    values = [float(i % 3 == 0) for i in range(30_000)]
    low, high = stats.bootstrap_ci(values, resamples=500) or (0.0, 0.0)
    assert low < 1 / 3 < high


def test_stddev() -> None:
    assert stats.stddev([1.0, 0.0, 1.0, 0.0]) == pytest.approx(math.sqrt(1 / 3))
    assert stats.stddev([1.0]) is None


@pytest.mark.parametrize(
    ("fixed", "broken", "p"),
    [
        (0, 0, 1.0),
        (5, 5, 1.0),
        (10, 0, 2 / 2**10),
        (0, 10, 2 / 2**10),
        (8, 2, 2 * (1 + 10 + 45) / 2**10),
        (1, 0, 1.0),
    ],
)
def test_mcnemar_exact(fixed: int, broken: int, p: float) -> None:
    assert stats.mcnemar_exact(fixed, broken) == pytest.approx(p)


def test_paired_test_picks_mcnemar_for_binary_scores() -> None:
    a = [1.0] * 20 + [0.0] * 20
    b = [1.0] * 20 + [1.0] * 15 + [0.0] * 5
    name, p = stats.paired_test(a, b)
    assert name == "mcnemar_exact"
    assert p == pytest.approx(stats.mcnemar_exact(15, 0))


def test_paired_bootstrap_detects_a_shift_and_not_noise() -> None:
    rng = random.Random(5)
    a = [rng.random() for _ in range(200)]
    shifted = [min(1.0, x + 0.2) for x in a]
    name, p = stats.paired_test(a, shifted)
    assert name == "paired_bootstrap"
    assert p < 0.01
    noisy = [min(1.0, max(0.0, x + rng.uniform(-0.05, 0.05))) for x in a]
    assert stats.paired_test(a, noisy)[1] > 0.01
    assert stats.paired_bootstrap_p(a, a) == 1.0


def test_paired_bootstrap_rejects_unpaired_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        stats.paired_bootstrap_p([1.0], [1.0, 0.0])


def _outcome(i: int, correct: bool, section: str, fmt: float | None) -> ItemOutcome:
    item = JudgeItem(str(i), "p", "1", section=section, category="add", difficulty="easy")
    return ItemOutcome(
        item,
        {
            "answer_correctness": Verdict(float(correct), "correct" if correct else "wrong"),
            "format": Verdict(fmt, "well_formed" if fmt else "unknown_style"),
        },
    )


def test_scorecard_fields_and_breakdowns() -> None:
    outcomes = [_outcome(i, i % 4 != 0, "core" if i < 30 else "edge_case", 1.0) for i in range(40)]
    outcomes.append(_outcome(99, True, "core", None))
    card = build_scorecard(
        outcomes, judges=["answer_correctness", "format"], primary="answer_correctness"
    )
    assert card.n_items == 41
    assert card.scored == 41
    assert card.primary_score == pytest.approx(31 / 41)
    assert card.ci95 is not None
    low, high = card.ci95
    assert low < card.primary_score < high
    assert card.judges["format"].skipped == 1
    assert card.judges["format"].scored == 40
    sections = card.judges["answer_correctness"].by_section
    assert set(sections) == {"core", "edge_case"}
    assert sections["core"].n == 31
    assert card.judges["answer_correctness"].labels == {"correct": 31, "wrong": 10}
    assert card.mean_of("format") == 1.0
    assert card.mean_of("step_check") is None
    assert Scorecard.model_validate(card.model_dump(mode="json")) == card
    assert card == build_scorecard(
        outcomes, judges=["answer_correctness", "format"], primary="answer_correctness"
    )
