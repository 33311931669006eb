"""Extraction by trace style, fallbacks, labels and truncation of ``answer_correctness``."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, parse_completion, render_example
from tunix_rt.evaluation.judges import answer_correctness
from tunix_rt.evaluation.judges.extract import Method, extract_answer
from tunix_rt.evaluation.judges.freeform import is_heading_body, is_step_header
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
    ("so it is \\boxed{7} I think", None, "7", Method.BOXED, True),
    ("so it is \\boxed{7", None, "7", Method.BOXED, False),
    ("3+4 gives 7, so the answer is 7.", None, "7", Method.PHRASE, True),
    ("3+4 gives 7, so the answer is 7", None, "7", Method.PHRASE, False),
    ("I have 3 apples and 4 pears, 7 fruits", None, "7", Method.LAST_NUMBER, False),
    ("total 1,234.5 units", None, "1,234.5", Method.LAST_NUMBER, False),
    ("no digits here", None, None, Method.NONE, False),
    # free-form markers and fallbacks
    ("3+4=7\n#### 7", None, "7", Method.GSM8K, True),
    ("**Final Answer:** 7 apples", None, "7 apples", Method.MARKER, True),
    ("### Final Answer\n\n7", None, "7", Method.MARKER, True),
    (
        "Answer:\n\nStep 1: 3+4=7\nStep 2: 7*2=14\nSo the answer is 14.",
        None,
        "14",
        Method.PHRASE,
        True,
    ),
    ("Answer:\n\n1. 3+4=7\n2. 7*2=14", None, "14", Method.LAST_NUMBER, False),
    ("Answer: 12\nWait, that is not right.\nAnswer: 14", None, "14", Method.ANSWER_LINE, True),
    ("Answer: 12\nAnswer: 14", None, "12", Method.ANSWER_LINE, True),
    ("The key to the answer is to add. 3+4=7. So she has 7.", None, "7", Method.CONCLUSION, False),
    ("We check whether the answer is reasonable: 3+4=7", None, "7", Method.LAST_NUMBER, False),
    ("3+4 gives 7, so the answer is either 7 or 8.", None, "either 7 or 8", Method.PHRASE, True),
    ("The answer is 14 apples, which is 7 more.", None, "14 apples", Method.PHRASE, True),
    (
        "So she has 14.\nCheck: 14 - 7 = 7 and 7 + 7 = 14, 3 ok",
        None,
        "14",
        Method.CONCLUSION,
        False,
    ),
    ("7*2=14. That is 7 more than the 7 she had.", None, "14", Method.LAST_NUMBER, False),
    ("So 3+4=7. Then 7*2=14.", None, "14", Method.LAST_NUMBER, False),
    ("The part is \\frac{3}{4}", None, "3/4", Method.LAST_NUMBER, False),
    (
        "<think>\nhm\n</think>\n\n**Step 1:** 3+4=7\n\n**Answer:** 7",
        S.THINK,
        "7",
        Method.MARKER,
        True,
    ),
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
    ("<think>\n3+4=7 and on", S.THINK, False, "14", "wrong"),  # unclosed think: last number
    ("<think>\n3+4=7 and on and", S.THINK, False, "7", "truncated"),  # stops mid-sentence
    ("Answer: Player 1", S.ANSWER_ONLY, False, "player 1", "correct"),
    # free-form outputs (no style)
    ("So the answer is 14.\nCheck: 14 - 4 =", None, True, "14", "correct"),  # marked, then cut
    ("So she has 14 apples.\nCheck: 14 - 4 =", None, True, "14", "truncated"),  # only guessed
    ("3 + 4 = 7, then 7 * 2 =", None, False, "7", "truncated"),  # stops on "=", unflagged
    ("so the total is 7 plus", None, False, "7", "truncated"),
    ("The length is $12\\text{ cm}$.", None, False, "12", "correct"),
    ("Yes, 17 is prime.", None, False, "yes", "correct"),
    ("17 is odd. It will be a Thursday.", None, False, "Thursday", "correct"),
    ("Today is Friday. I am not sure.", None, False, "Friday", "no_answer"),  # restates the prompt
    ("Answer: 14 apples, which is 7 more than Ben", None, False, "14", "correct"),
    ("Answer: 116 - 5", None, False, "111", "correct"),
    ("The answer is 14 or 16.", None, False, "14", "wrong"),
]


@pytest.mark.parametrize(("text", "style", "truncated", "expected", "label"), VERDICTS)
def test_verdict_labels(
    text: str, style: TraceStyle | None, truncated: bool, expected: str, label: str
) -> None:
    item = JudgeItem(
        id="q1", prompt="Today is Friday. Which day is it in 7 days?", expected_answer=expected
    )
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
    """On every rendered completion, the fast path finds what ``parse_completion`` finds.

    Except where the answer itself reads as a heading (a blank first line, then a step header
    or a paragraph; in the think style, a step header first): the judge then looks past it,
    by design.
    """
    own, _, rest = answer.partition("\n")
    assume(own.strip() or not is_heading_body(rest.lstrip().partition("\n")[0].strip()))
    # After </think>, a first line that starts working (a step header) is not the answer.
    assume(style is not TraceStyle.THINK or not is_step_header(answer.strip().partition("\n")[0]))
    completion = render_example("q", steps, answer, template=template, style=style).completion
    parsed = parse_completion(completion, style=style, template=template)
    assert parsed.answer is not None
    found = extract_answer(completion, style=style)
    expected_line = parsed.answer.strip().partition("\n")[0].strip()
    if expected_line:
        assert found.span == expected_line
        assert found.marked
