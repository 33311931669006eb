"""Scores for one trace (pure): ``baseline`` (steps and length) and ``step_check``."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel

from tunix_rt.traces.schemas import TraceStep
from tunix_rt.traces.stepcheck import check_steps

# The baseline saturates at this many steps and this many characters per step on average.
BASELINE_FULL_STEPS = 10
BASELINE_FULL_STEP_CHARS = 100


class Scorer(StrEnum):
    """Trace scorers offered by ``POST /api/traces/{id}/score``."""

    BASELINE = "baseline"
    STEP_CHECK = "step_check"


class WrongStep(BaseModel):
    """An arithmetic claim in step ``i`` that does not hold."""

    i: int
    expression: str
    claimed: str
    actual: str


class TraceScore(BaseModel):
    """A score in ``[min_score, max_score]`` (both scorers: 0 to 1, higher is better)."""

    scorer: Scorer
    score: float
    min_score: float = 0.0
    max_score: float = 1.0
    reason: str
    step_count: int
    checked_steps: int | None = None
    claims: int | None = None
    wrong_steps: list[WrongStep] = []


def score_baseline(steps: Sequence[TraceStep]) -> TraceScore:
    """Half for the number of steps (full at 10), half for mean step length (full at 100 chars)."""
    count = len(steps)
    mean_chars = sum(len(s.content) for s in steps) / count if count else 0.0
    step_part = min(count, BASELINE_FULL_STEPS) / BASELINE_FULL_STEPS
    length_part = min(mean_chars, BASELINE_FULL_STEP_CHARS) / BASELINE_FULL_STEP_CHARS
    return TraceScore(
        scorer=Scorer.BASELINE,
        score=round(0.5 * step_part + 0.5 * length_part, 6),
        reason=f"{count} steps, {mean_chars:.1f} characters per step on average",
        step_count=count,
    )


def score_step_check(steps: Sequence[TraceStep]) -> TraceScore:
    """The share of arithmetic claims that hold (1.0 when the trace makes none)."""
    result = check_steps([s.content for s in steps])
    wrong = [
        WrongStep(i=steps[v.index].i, expression=v.expression, claimed=v.claimed, actual=v.actual)
        for v in result.wrong
    ]
    claims = len(result.verdicts)
    score = 1.0 - len(wrong) / claims if claims else 1.0
    if not claims:
        reason = "no arithmetic claims to check"
    elif wrong:
        reason = (
            f"{len(wrong)} of {claims} arithmetic claims are wrong (first in step {wrong[0].i})"
        )
    else:
        reason = f"all {claims} arithmetic claims hold"
    return TraceScore(
        scorer=Scorer.STEP_CHECK,
        score=round(score, 6),
        reason=reason,
        step_count=len(steps),
        checked_steps=result.checked,
        claims=claims,
        wrong_steps=wrong,
    )


def score_trace(steps: Sequence[TraceStep], scorer: Scorer) -> TraceScore:
    """Dispatch to the named scorer."""
    if scorer is Scorer.STEP_CHECK:
        return score_step_check(steps)
    return score_baseline(steps)


class StepDiff(BaseModel):
    """One edit between two step lists: ``equal``, ``replace``, ``insert`` or ``delete``."""

    op: str
    base: list[TraceStep]
    other: list[TraceStep]


def diff_steps(base: Sequence[TraceStep], other: Sequence[TraceStep]) -> list[StepDiff]:
    """Step-level diff by content (``difflib`` opcodes over the step texts)."""
    matcher = difflib.SequenceMatcher(
        a=[s.content for s in base], b=[s.content for s in other], autojunk=False
    )
    return [
        StepDiff(op=tag, base=list(base[i1:i2]), other=list(other[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
