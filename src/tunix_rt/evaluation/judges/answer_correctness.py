"""``answer_correctness``: is the model's final answer the expected one? Score 0 or 1.

Labels: ``correct`` (1), ``wrong`` (0), ``no_answer`` (0: nothing answer-like in the output),
``truncated`` (0: generation hit the token limit before a complete, marked answer). The
extracted span and the extraction method (``last_number`` and other fallbacks included) are
kept on every verdict.
"""

from __future__ import annotations

from tunix_rt.evaluation.judges.extract import Method, extract_answer
from tunix_rt.evaluation.judges.normalize import answers_match, normalize_answer
from tunix_rt.evaluation.judges.types import JudgeItem, JudgeSpec, Prediction, Verdict

NAME = "answer_correctness"
VERSION = "1.0"
SCORE_RANGE = (0.0, 1.0)


def judge(item: JudgeItem, prediction: Prediction) -> Verdict:
    """Extract, normalise and compare the final answer (numbers by value)."""
    found = extract_answer(prediction.text, style=prediction.style, truncated=prediction.truncated)
    details = {"method": found.method}
    if prediction.truncated and not (found.marked and found.complete):
        return Verdict(0.0, "truncated", found.span, "output hit the token limit", details)
    if found.span is None or found.method == Method.NONE:
        return Verdict(0.0, "no_answer", None, "no answer found in the output", details)
    got = normalize_answer(found.span)
    want = normalize_answer(item.expected_answer)
    if answers_match(got, want):
        return Verdict(1.0, "correct", found.span, "", details)
    reason = f"expected {want.text!r}, got {got.text!r}"
    return Verdict(0.0, "wrong", found.span, reason, details)


SPEC = JudgeSpec(
    name=NAME,
    version=VERSION,
    score_range=SCORE_RANGE,
    description="Final answer equals the expected answer after normalisation (1) or not (0).",
    fn=judge,
)
