"""``answer_correctness`` agrees with Hugging Face math-verify on >= 98% of the pairs.

Every disagreement is printed (run with ``-s`` to see them on a pass); docs/evaluation.md
explains each kind.
"""

from __future__ import annotations

import pytest
from tests.evaluation.agreement_pairs import Pair, all_pairs

from tunix_rt.datasets.render import TraceStyle
from tunix_rt.evaluation.judges import answer_correctness
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction

math_verify = pytest.importorskip("math_verify")


def _ours(pair: Pair) -> bool:
    item = JudgeItem(id="x", prompt="", expected_answer=pair.expected)
    prediction = Prediction(pair.prediction, truncated=pair.truncated, style=pair.style)
    verdict = answer_correctness.judge(item, prediction)
    return verdict.label == "correct"


def reference_text(pair: Pair) -> str:
    """What math-verify is given: the full output, except the tagged style's ``<answer>`` body.

    math-verify does not know the ``<answer>`` tag convention (a number glued to ``>`` is not
    extracted), so as in Tunix's GSM8K reward the tag content is handed to it.
    """
    if pair.style is TraceStyle.TAGGED:
        begin, end = pair.prediction.find("<answer>"), pair.prediction.find("</answer>")
        if 0 <= begin < end:
            return pair.prediction[begin + len("<answer>") : end]
    return pair.prediction


def _reference(pair: Pair) -> bool:
    gold = math_verify.parse(pair.expected)
    answer = math_verify.parse(reference_text(pair))
    return bool(math_verify.verify(gold, answer))


def _disagreements(pairs: list[Pair]) -> list[tuple[Pair, bool, bool]]:
    found = []
    for pair in pairs:
        ours, reference = _ours(pair), _reference(pair)
        if ours != reference:
            found.append((pair, ours, reference))
    return found


def _show(title: str, pairs: list[Pair], found: list[tuple[Pair, bool, bool]]) -> None:
    print(f"\n{title}: {len(pairs)} pairs, {len(found)} disagreements")
    for pair, ours, reference in found:
        print(
            f"DISAGREE kind={pair.kind} style={pair.style} expected={pair.expected!r} "
            f"ours={ours} math_verify={reference} prediction={pair.prediction[-80:]!r}"
        )


def test_agreement_with_math_verify() -> None:
    pairs = [p for p in all_pairs() if not p.textual]
    assert len(pairs) >= 300
    assert sum(p.kind == "model_output" for p in pairs) >= 300
    found = _disagreements(pairs)
    _show("math answers", pairs, found)
    agreement = 1 - len(found) / len(pairs)
    print(f"agreement {agreement:.4f}")
    assert agreement >= 0.98, f"agreement {agreement:.3f}"


def test_textual_answers_are_outside_math_verify() -> None:
    """Word answers: listed, and ours must be right on every one (math-verify cannot judge)."""
    pairs = [p for p in all_pairs() if p.textual]
    found = _disagreements(pairs)
    _show("word answers (outside math-verify's domain)", pairs, found)
    for pair in pairs:
        assert _ours(pair) == (pair.kind == "right"), pair
