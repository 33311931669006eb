"""Extraction by trace style, fallbacks, labels and truncation of ``answer_correctness``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, parse_completion, render_example
from tunix_rt.evaluation.judges import answer_correctness
from tunix_rt.evaluation.judges.extract import Method, extract_answer
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction

S = TraceStyle
STEPS = ["7+6+0=13, write 3 carry 1", "8+5+1=14, write 4 carry 1", "4+3+1=8"]

EXTRACTIONS = [
    # (text, style, span, method, marked)
    ("Reasoning:\n1. 3+4=7\nAnswer: 7", S.NUMBERED, "7", Method.ANSWER_LINE, True),
    ("Answer: 7", S.ANSWER_ONLY, "7", Method.ANSWER_LINE, True),
    ("Reasoning:\n1. 3+4=7\nAnswer: 7\n2. junk 99", S.NUMBERED, "7", Method.ANSWER_LINE, True),
    ("<reasoning>3+4=7</reasoning>\n<answer>7</answer>", S.TAGGED, "7", Method.ANSWER_TAG, True),
    ("<reasoning>3+4=7</reasoning>\n<answer> 7 </answer>x", S.TAGGED, "7", Method.ANSWER_TAG, True),
    ("<reasoning>3+4=7</reasoning>\n<answer>7", S.TAGGED, "7", Method.ANSWER_TAG, False),
    ("<think>\n3+4=7\n</think>\n7", S.THINK, "7", Method.AFTER_THINK, True),
    ("<think>\n3+4=7\n</think>\n\n7\nmore", S.THINK, "7", Method.AFTER_THINK, True),
    ("3+4=7\n</think>\n7", S.THINK, "7", Method.AFTER_THINK, False),
    ("Answer: 7<|im_end|>Answer: 9", S.NUMBERED, "7", Method.ANSWER_LINE, True),
    ("Reasoning:\n1. 3+4=7\nAnswer: 7<end_of_turn>", S.NUMBERED, "7", Method.ANSWER_LINE, True),
    # the style's marker is missing: other styles' markers, then fallbacks
    ("<answer>7</answer>", S.NUMBERED, "7", Method.ANSWER_TAG, True),
    ("Reasoning:\n1. 3+4=7\nAnswer: 7", S.TAGGED, "7", Method.ANSWER_LINE, True),
    ("so it is \\boxed{7} I think", None, "7", Method.BOXED, False),
    ("3+4 gives 7, so the answer is 7.", None, "7.", Method.PHRASE, False),
    ("I have 3 apples and 4 pears, 7 fruits", None, "7", Method.LAST_NUMBER, False),
    ("total 1,234.5 units", None, "1,234.5", Method.LAST_NUMBER, False),
    ("no digits here", None, None, Method.NONE, False),
    ("Reasoning:\n1. add them\n", S.NUMBERED, None, Method.NONE, False),
]


@pytest.mark.parametrize(("text", "style", "span", "method", "marked"), EXTRACTIONS)
def test_extraction_rule(
    text: str, style: TraceStyle | None, span: str | None, method: str, marked: bool
) -> None:
    found = extract_answer(text, style=style)
    assert (found.span, found.method, found.marked) == (span, method, marked)


VERDICTS = [
    # (text, style, truncated, expected answer, label)
    ("Reasoning:\n1. 3+4=7\nAnswer: 7", S.NUMBERED, False, "7", "correct"),
    ("Reasoning:\n1. 3+4=8\nAnswer: 8", S.NUMBERED, False, "7", "wrong"),
    ("Reasoning:\n1. 3+4=7\nAnswer: 7.0", S.NUMBERED, False, "7", "correct"),
    ("<reasoning>a</reasoning>\n<answer>$1,200</answer>", S.TAGGED, False, "1200", "correct"),
    ("<think>\na\n</think>\n\\boxed{3/4}", S.THINK, False, "0.75", "correct"),
    ("Answer: 12 apples", S.ANSWER_ONLY, False, "12", "correct"),
    ("Reasoning:\n1. 3+4=7\n2. 7*2=14", S.NUMBERED, False, "14", "correct"),  # last number
    ("Reasoning:\n1. 3+4=7\n2. 7*2=14\n", S.NUMBERED, False, "7", "wrong"),  # several numbers
    ("Reasoning:\n1. add", S.NUMBERED, False, "7", "no_answer"),
    ("", S.NUMBERED, False, "7", "no_answer"),
    ("Reasoning:\n1. 3+4=7\nAnswer: 1", S.NUMBERED, True, "14", "truncated"),
    ("Reasoning:\n1. 3+4=7\n2. 7*2=1", S.NUMBERED, True, "14", "truncated"),
    ("Reasoning:\n1. 3+4=7\nAnswer: 14\n2.", S.NUMBERED, True, "14", "correct"),
    ("<reasoning>a</reasoning>\n<answer>14", S.TAGGED, True, "14", "truncated"),
    ("<reasoning>a</reasoning>\n<answer>14", S.TAGGED, False, "14", "correct"),  # unclosed
    ("<reasoning>a</reasoning>\n<answer>14</answer><answer>", S.TAGGED, True, "14", "correct"),
    ("<think>\na\n</think>\n14", S.THINK, True, "14", "truncated"),
    ("<think>\n3+4=7 and on and", S.THINK, False, "14", "wrong"),  # unclosed think: last number
    ("Answer: Player 1", S.ANSWER_ONLY, False, "player 1", "correct"),
]


@pytest.mark.parametrize(("text", "style", "truncated", "expected", "label"), VERDICTS)
def test_verdict_labels(
    text: str, style: TraceStyle | None, truncated: bool, expected: str, label: str
) -> None:
    item = JudgeItem(id="q1", prompt="?", expected_answer=expected)
    verdict = answer_correctness.judge(item, Prediction(text, truncated=truncated, style=style))
    assert verdict.label == label, verdict
    assert verdict.score == (1.0 if label == "correct" else 0.0)
    assert "method" in verdict.details


def test_fallback_method_is_recorded() -> None:
    item = JudgeItem(id="q1", prompt="?", expected_answer="14")
    verdict = answer_correctness.judge(item, Prediction("it is 14", style=S.NUMBERED))
    assert verdict.label == "correct"
    assert verdict.details["method"] == Method.LAST_NUMBER
    assert verdict.extracted == "14"


_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]) | st.just("\n"),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(_text, min_size=1, max_size=4),
    answer=_text,
    style=st.sampled_from(list(TraceStyle)),
    template=st.sampled_from(list(ChatTemplate)),
)
def test_extraction_agrees_with_the_renderers_parser(
    steps: list[str], answer: str, style: TraceStyle, template: ChatTemplate
) -> None:
    """On every rendered completion, the fast path finds what ``parse_completion`` finds."""
    completion = render_example("q", steps, answer, template=template, style=style).completion
    parsed = parse_completion(completion, style=style, template=template)
    assert parsed.answer is not None
    found = extract_answer(completion, style=style)
    expected_line = parsed.answer.strip().partition("\n")[0].strip()
    if expected_line:
        assert found.span == expected_line
        assert found.marked
