"""The step splitter and the chat/GSM8K mappings, table-driven (pure)."""

import pytest

from tunix_rt.traces.formats.records import RecordError, chat_doc, gsm8k_doc
from tunix_rt.traces.formats.steps import split_steps, strip_calculator


@pytest.mark.parametrize(
    ("text", "steps", "method"),
    [
        ("1. 48/2 = 24\n2. 48 + 24 = 72", ["48/2 = 24", "48 + 24 = 72"], "numbered"),
        ("First:\n1) a\n   more of a\n2) b", ["First:", "a\nmore of a", "b"], "numbered"),
        ("(1) a\n(2) b", ["a", "b"], "numbered"),
        ("Step 1: add\nStep 2: halve", ["add", "halve"], "labelled"),
        ("**Step 1:** add\nthen carry\n**Step 2.** halve", ["add\nthen carry", "halve"],
         "labelled"),
        ("- 3 + 4 = 7\n* 7 * 2 = 14\n• done", ["3 + 4 = 7", "7 * 2 = 14", "done"], "bullets"),
        ("a = 1\n\nb = 2\n", ["a = 1", "b = 2"], "lines"),
        ("It is 3.5 km. Then 2 more! Is that 5.5? Yes.", ["It is 3.5 km.", "Then 2 more!",
         "Is that 5.5?", "Yes."], "sentences"),
        ("Use e.g. a ruler.", ["Use e.g. a ruler."], "whole"),
        ("   ", [], "whole"),
    ],
)  # fmt: skip
def test_split_steps_names_the_rule_that_cut_them(text: str, steps: list[str], method: str) -> None:
    assert split_steps(text) == (steps, method)


def test_calculator_annotations_are_dropped_and_the_shown_result_stays() -> None:
    text = "Natalia sold 48/2 = <<48/2=24>>24 clips in May."
    assert strip_calculator(text) == "Natalia sold 48/2 = 24 clips in May."


_ASK = {"role": "user", "content": "What is 6 * 7?"}


@pytest.mark.parametrize(
    ("reply", "steps", "answer", "kind"),
    [
        ({"content": "<think>6 * 7 = 42\ncheck: 42 / 7 = 6</think>\nThe answer is 42."},
         ["6 * 7 = 42", "check: 42 / 7 = 6"], "42", "think"),
        ({"content": "6 * 7 = 42.</think>42"}, ["6 * 7 = 42."], "42", "think"),
        ({"content": "42", "reasoning_content": "Step 1: 6 * 7 = 42"}, ["6 * 7 = 42"], "42",
         "reasoning_content"),
        ({"content": "1. 6 * 7 = 42\n2. checked\nFinal answer: 42"}, ["6 * 7 = 42", "checked"],
         "42", "content"),
        ({"content": [{"type": "text", "text": "<think>6*7=42</think>"}, {"type": "text",
          "text": "42"}]}, ["6*7=42"], "42", "think"),
    ],
)  # fmt: skip
def test_chat_reasoning_forms(
    reply: dict[str, object], steps: list[str], answer: str, kind: str
) -> None:
    doc = chat_doc({"messages": [_ASK, {"role": "assistant", **reply}]}, {})
    assert [s["content"] for s in doc["steps"]] == steps
    assert (doc["prompt"], doc["final_answer"], doc["meta"]["reasoning"]) == (
        "What is 6 * 7?",
        answer,
        kind,
    )


@pytest.mark.parametrize(
    ("messages", "says"),
    [
        ([_ASK], "messages: no assistant message"),
        ([{"role": "assistant", "content": "a\nb"}], "messages: no user message before"),
        ([_ASK, {"role": "assistant", "content": "42"}], "messages[1].content: no reasoning"),
        ([_ASK, {"role": "assistant", "content": "<think>x</think>"}], "no answer after"),
        ([_ASK, {"role": "assistant", "content": 7}], "messages[1].content: expected a string"),
        ([_ASK, {"content": "x"}], "messages[1].role: expected a non-empty string"),
        ("hello", "messages: expected a non-empty list"),
    ],
)
def test_chat_records_that_hold_no_trace_say_why(messages: object, says: str) -> None:
    with pytest.raises(RecordError) as caught:
        chat_doc({"messages": messages}, {})
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("48 / 2 = 24", "answer: no '#### final answer' line"),
        ("#### 24", "answer: no steps before '####'"),
        ("48 / 2 = 24\n####  ", "answer: nothing after '####'"),
        ("", "answer: expected a non-empty string"),
    ],
)
def test_gsm8k_records_that_hold_no_trace_say_why(answer: str, says: str) -> None:
    with pytest.raises(RecordError) as caught:
        gsm8k_doc({"question": "q?", "answer": answer}, {})
    assert says in str(caught.value)
