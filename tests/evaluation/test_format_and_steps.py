"""The ``format``, ``step_check`` and ``mock`` judges, table-driven."""

from __future__ import annotations

import pytest

from tunix_rt.datasets.render import TraceStyle
from tunix_rt.evaluation.judges import JUDGES, mock, step_check, trace_format
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction

S = TraceStyle
ITEM = JudgeItem(id="q1", prompt="What is 3 + 4 + 7?", expected_answer="14")

FORMAT_CASES = [
    # (text, style, truncated, label, a problem expected in the reason)
    ("Reasoning:\n1. 3+4=7\n2. 7+7=14\nAnswer: 14", S.NUMBERED, False, "well_formed", ""),
    ("Reasoning:\n1. 3+4=7\nAnswer: 14<|im_end|>", S.NUMBERED, False, "well_formed", ""),
    ("1. 3+4=7\nAnswer: 14", S.NUMBERED, False, "malformed", "Reasoning:"),
    ("Reasoning:\nAnswer: 14", S.NUMBERED, False, "malformed", "no reasoning steps"),
    ("Reasoning:\n1. 3+4=7\n2. 7+7=", S.NUMBERED, True, "truncated", "Answer:"),
    ("Reasoning:\n1. 3+4=7\nAnswer: 14\nmore", S.NUMBERED, False, "malformed", "after the answer"),
    ("Reasoning:\n1. 3+4=7\nAnswer: ", S.NUMBERED, False, "malformed", "empty answer"),
    ("<reasoning>3+4=7</reasoning>\n<answer>14</answer>", S.TAGGED, False, "well_formed", ""),
    ("<reasoning>3+4=7\n<answer>14</answer>", S.TAGGED, False, "malformed", "unclosed"),
    ("<reasoning>3+4=7</reasoning>\n<answer>14", S.TAGGED, False, "malformed", "unclosed <answer>"),
    ("<reasoning></reasoning>\n<answer>14</answer>", S.TAGGED, False, "malformed", "empty"),
    ("<think>\n3+4=7\n</think>\n14", S.THINK, False, "well_formed", ""),
    ("<think>\n3+4=7\n14", S.THINK, True, "truncated", "unclosed <think>"),
    ("<think>\n3+4=7\n</think>\n", S.THINK, False, "malformed", "no answer"),
    ("Answer: 14", S.ANSWER_ONLY, False, "well_formed", ""),
    ("14", S.ANSWER_ONLY, False, "malformed", "Answer:"),
]


@pytest.mark.parametrize(("text", "style", "truncated", "label", "problem"), FORMAT_CASES)
def test_format_judge(
    text: str, style: TraceStyle, truncated: bool, label: str, problem: str
) -> None:
    verdict = trace_format.judge(ITEM, Prediction(text, truncated=truncated, style=style))
    assert verdict.label == label, verdict
    assert verdict.score == (1.0 if label == "well_formed" else 0.0)
    assert problem in verdict.reason


def test_format_judge_skips_unknown_style() -> None:
    verdict = trace_format.judge(ITEM, Prediction("Answer: 14"))
    assert (verdict.score, verdict.label) == (None, "unknown_style")


STEP_CASES = [
    # (text, style, score, label, first wrong step)
    ("Reasoning:\n1. 3+4=7\n2. 7+7=14\nAnswer: 14", S.NUMBERED, 1.0, "all_correct", None),
    ("Reasoning:\n1. 3+4=7\n2. 7+7=15\nAnswer: 15", S.NUMBERED, 0.0, "wrong_step", 2),
    ("Reasoning:\n1. 3+4=8\n2. 8+7=16\nAnswer: 16", S.NUMBERED, 0.0, "wrong_step", 1),
    (
        "<reasoning>3 \u00d7 4 = 12\n12 - 1 = 11</reasoning>\n<answer>11</answer>",
        S.TAGGED,
        1.0,
        "all_correct",
        None,
    ),
    ("<think>\n1,000 + 24 = 1,025\n</think>\n1025", S.THINK, 0.0, "wrong_step", 1),
    ("Reasoning:\n1. add the numbers\nAnswer: 14", S.NUMBERED, None, "no_arithmetic", None),
    # column work and words without "=", rounding to cents
    (
        "Reasoning:\n1. r 305 871\n2. 3-8-0+10 w5 b1\nAnswer: 5",
        S.NUMBERED,
        1.0,
        "all_correct",
        None,
    ),
    (
        "Reasoning:\n1. 3-8-0+10 w5 b1\n2. 0-7-0+10 w3 b1\nAnswer: 35",
        S.NUMBERED,
        0.0,
        "wrong_step",
        2,
    ),
    ("Reasoning:\n1. 3-8-0 w5 b0\nAnswer: 5", S.NUMBERED, 0.0, "wrong_step", 1),
    ("<think>\n13 minus 8 is 6\n</think>\n6", S.THINK, 0.0, "wrong_step", 1),
    ("Reasoning:\n1. tip: 19.99*0.15=3.00\nAnswer: 3.00", S.NUMBERED, 1.0, "all_correct", None),
    ("Answer: 14", S.ANSWER_ONLY, None, "no_steps", None),
    ("Answer: 14", None, None, "unknown_style", None),
]


@pytest.mark.parametrize(("text", "style", "score", "label", "first"), STEP_CASES)
def test_step_check_judge(
    text: str, style: TraceStyle | None, score: float | None, label: str, first: int | None
) -> None:
    verdict = step_check.judge(ITEM, Prediction(text, style=style))
    assert (verdict.score, verdict.label) == (score, label), verdict
    if first is not None:
        assert verdict.details["first_wrong"]["step"] == first
        assert f"step {first}:" in verdict.reason


def test_mock_judge_is_deterministic_and_not_a_default() -> None:
    from tunix_rt.evaluation.judges import DEFAULT_JUDGES

    verdicts = {mock.judge(JudgeItem(str(i), "p", "1"), Prediction("x")).score for i in range(64)}
    assert verdicts == {0.0, 1.0}
    again = mock.judge(JudgeItem("7", "p", "1"), Prediction("x"))
    assert again == mock.judge(JudgeItem("7", "p", "1"), Prediction("x"))
    assert "mock" not in DEFAULT_JUDGES


def test_every_judge_states_version_and_range() -> None:
    for spec in JUDGES.values():
        assert spec.version
        low, high = spec.score_range
        assert low < high
