"""Rendering: exact layouts per template, and parse(render(x)) == x for every style."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunix_rt.datasets.render import (
    ChatTemplate,
    TraceStyle,
    end_of_turn,
    parse_completion,
    render_body,
    render_example,
    render_with_chat_template,
)

STEPS = ["12 + 30 = 42", "42 is even"]


@pytest.mark.parametrize(
    ("template", "system", "prompt_text"),
    [
        (
            ChatTemplate.GEMMA,
            None,
            "<start_of_turn>user\nQ?<end_of_turn>\n<start_of_turn>model\n",
        ),
        (
            ChatTemplate.GEMMA,
            "Be brief.",
            "<start_of_turn>user\nBe brief.\n\nQ?<end_of_turn>\n<start_of_turn>model\n",
        ),
        (
            ChatTemplate.CHATML,
            "Be brief.",
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nQ?<|im_end|>\n"
            "<|im_start|>assistant\n",
        ),
        (
            ChatTemplate.LLAMA3,
            None,
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQ?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
        ),
        (ChatTemplate.PLAIN, None, "Q?\n\n"),
    ],
)
def test_prompt_layout_per_template(
    template: ChatTemplate, system: str | None, prompt_text: str
) -> None:
    rendered = render_example(
        "Q?", STEPS, "42", template=template, style=TraceStyle.NUMBERED, system=system
    )
    assert rendered.prompt == prompt_text
    assert rendered.completion.endswith(end_of_turn(template))


@pytest.mark.parametrize(
    ("style", "body"),
    [
        (TraceStyle.NUMBERED, "Reasoning:\n1. 12 + 30 = 42\n2. 42 is even\nAnswer: 42"),
        (
            TraceStyle.TAGGED,
            "<reasoning>12 + 30 = 42\n42 is even</reasoning>\n<answer>42</answer>",
        ),
        (TraceStyle.THINK, "<think>\n12 + 30 = 42\n42 is even\n</think>\n42"),
        (TraceStyle.ANSWER_ONLY, "Answer: 42"),
    ],
)
def test_body_layout_per_style(style: TraceStyle, body: str) -> None:
    assert render_body(STEPS, "42", style=style) == body


def test_gemma_numbered_matches_seed_layout() -> None:
    rendered = render_example(
        "What is 12 + 30?", STEPS, "42", template=ChatTemplate.GEMMA, style=TraceStyle.NUMBERED
    )
    assert rendered.text == (
        "<start_of_turn>user\nWhat is 12 + 30?<end_of_turn>\n<start_of_turn>model\n"
        "Reasoning:\n1. 12 + 30 = 42\n2. 42 is even\nAnswer: 42<end_of_turn>"
    )


step_text = st.text(min_size=1, max_size=40)
tricky = st.sampled_from(
    [
        "</reasoning>",
        "<answer>",
        "</answer>",
        "<think>",
        "</think>",
        "&lt;",
        "&amp;",
        "\n",
        "  ",
        "Answer: 7",
        "2. x",
        "\\",
        " lead",
        "<end_of_turn>",
    ]
)
content = st.lists(st.one_of(step_text, tricky), min_size=1, max_size=4).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(content, min_size=1, max_size=5),
    answer=content,
    style=st.sampled_from(list(TraceStyle)),
)
def test_parse_inverts_render(steps: list[str], answer: str, style: TraceStyle) -> None:
    body = render_body(steps, answer, style=style)
    parsed = parse_completion(body, style=style, template=ChatTemplate.PLAIN)
    assert parsed.answer == answer
    assert parsed.steps == ([] if style is TraceStyle.ANSWER_ONLY else steps)
    assert parsed.well_formed, parsed.problems


def test_parse_strips_end_of_turn_and_trailing_text() -> None:
    text = "<reasoning>1+1=2</reasoning>\n<answer>2</answer><end_of_turn>junk"
    parsed = parse_completion(text, style=TraceStyle.TAGGED, template=ChatTemplate.GEMMA)
    assert parsed.answer == "2"
    assert parsed.well_formed


@pytest.mark.parametrize(
    ("style", "text", "problem"),
    [
        (TraceStyle.TAGGED, "<reasoning>1+1=2", "unclosed <reasoning>"),
        (TraceStyle.TAGGED, "<reasoning>x</reasoning>\n<answer>2", "unclosed <answer>"),
        (TraceStyle.TAGGED, "<reasoning></reasoning>\n<answer>2</answer>", "empty reasoning"),
        (TraceStyle.THINK, "<think>\nx\n", "unclosed <think>"),
        (TraceStyle.NUMBERED, "Reasoning:\n1. x", "no 'Answer:' line"),
        (TraceStyle.ANSWER_ONLY, "The answer is 4", "no 'Answer:' prefix"),
    ],
)
def test_malformed_output_is_reported(style: TraceStyle, text: str, problem: str) -> None:
    parsed = parse_completion(text, style=style)
    assert not parsed.well_formed
    assert problem in parsed.problems


def test_tokenizer_chat_template_is_split_at_the_model_turn() -> None:
    def apply(
        messages: list[dict[str, str]], tokenize: bool, add_generation_prompt: bool = False
    ) -> str:
        text = "".join(f"[{m['role']}]{m['content']}[/]" for m in messages)
        return text + ("[assistant]" if add_generation_prompt else "")

    rendered = render_with_chat_template(apply, "Q?", STEPS, "42", style=TraceStyle.ANSWER_ONLY)
    assert rendered.prompt == "[user]Q?[/][assistant]"
    assert rendered.completion == "Answer: 42[/]"
