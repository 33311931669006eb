"""Render traces into chat-template SFT text, and parse completions back (pure).

A record renders as ``prompt`` (everything the model is conditioned on, ending with the
model-turn opener) and ``completion`` (reasoning + answer + the end-of-turn marker), so
training can put the loss on the completion only. Each style's parser inverts its renderer
exactly, for any text: multi-line steps are written with indented continuation lines, and
the style's own tags inside content are escaped (``&lt;answer>``), so they cannot close a
block early.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ChatTemplate(StrEnum):
    """How a conversation is laid out for a model family."""

    GEMMA = "gemma"
    CHATML = "chatml"
    LLAMA3 = "llama3"
    PLAIN = "plain"


class TraceStyle(StrEnum):
    """How reasoning steps and the final answer are written in the completion."""

    NUMBERED = "numbered"
    TAGGED = "tagged"
    THINK = "think"
    ANSWER_ONLY = "answer_only"


@dataclass(frozen=True)
class RenderedExample:
    """One SFT record: the conditioning prompt and the trained completion."""

    prompt: str
    completion: str

    @property
    def text(self) -> str:
        return self.prompt + self.completion


@dataclass(frozen=True)
class ParsedCompletion:
    """What a completion says: its steps and answer, and whether it followed the style."""

    steps: list[str]
    answer: str | None
    well_formed: bool
    problems: list[str] = field(default_factory=list)


_END_OF_TURN = {
    ChatTemplate.GEMMA: "<end_of_turn>",
    ChatTemplate.CHATML: "<|im_end|>",
    ChatTemplate.LLAMA3: "<|eot_id|>",
    ChatTemplate.PLAIN: "",
}
_SPECIAL_TOKENS = {
    ChatTemplate.GEMMA: ["<start_of_turn>", "<end_of_turn>"],
    ChatTemplate.CHATML: ["<|im_start|>", "<|im_end|>"],
    ChatTemplate.LLAMA3: [
        "<|begin_of_text|>",
        "<|start_header_id|>",
        "<|end_header_id|>",
        "<|eot_id|>",
    ],
    ChatTemplate.PLAIN: [],
}
_STYLE_TOKENS = {
    TraceStyle.NUMBERED: [],
    TraceStyle.TAGGED: ["<reasoning>", "</reasoning>", "<answer>", "</answer>"],
    TraceStyle.THINK: ["<think>", "</think>"],
    TraceStyle.ANSWER_ONLY: [],
}

# Escaping of tag-like text inside content: `&` before `amp;`/`lt;` first, then `<` before a tag.
_ESC_AMP = re.compile(r"&(?=(?:amp|lt);)")
_ESC_TAG = re.compile(r"<(?=/?(?:reasoning|answer|think)>)")
_UNESC_TAG = re.compile(r"&lt;(?=/?(?:reasoning|answer|think)>)")
_UNESC_AMP = re.compile(r"&amp;(?=(?:amp|lt);)")
_NUMBERED_STEP = re.compile(r"(\d+)\. ")


def end_of_turn(template: ChatTemplate) -> str:
    """The marker that ends the model's turn ("" for ``plain``: the tokenizer's EOS ends it)."""
    return _END_OF_TURN[template]


def special_tokens(template: ChatTemplate) -> list[str]:
    """Marker strings of the template that a tokenizer must keep as single tokens."""
    return list(_SPECIAL_TOKENS[template])


def style_tokens(style: TraceStyle) -> list[str]:
    """Tags of the trace style that a tokenizer should keep as single tokens."""
    return list(_STYLE_TOKENS[style])


def render_prompt(prompt: str, *, template: ChatTemplate, system: str | None = None) -> str:
    """The user turn plus the model-turn opener. Gemma has no system role: it is prepended."""
    if template is ChatTemplate.GEMMA:
        user = f"{system}\n\n{prompt}" if system else prompt
        return f"<start_of_turn>user\n{user}<end_of_turn>\n<start_of_turn>model\n"
    if template is ChatTemplate.CHATML:
        sys_turn = f"<|im_start|>system\n{system}<|im_end|>\n" if system else ""
        return f"{sys_turn}<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
    if template is ChatTemplate.LLAMA3:
        head = "<|start_header_id|>{}<|end_header_id|>\n\n"
        sys_turn = f"{head.format('system')}{system}<|eot_id|>" if system else ""
        user_turn = f"{head.format('user')}{prompt}<|eot_id|>"
        return f"<|begin_of_text|>{sys_turn}{user_turn}{head.format('assistant')}"
    return f"{system}\n\n{prompt}\n\n" if system else f"{prompt}\n\n"


def _escape(text: str) -> str:
    return _ESC_TAG.sub("&lt;", _ESC_AMP.sub("&amp;", text))


def _unescape(text: str) -> str:
    return _UNESC_AMP.sub("&", _UNESC_TAG.sub("<", text))


def _encode_steps(steps: Sequence[str]) -> str:
    """One line per step; continuation lines indented by two spaces; a leading space escaped."""
    lines: list[str] = []
    for step in steps:
        first, *rest = _escape(step).split("\n")
        if first.startswith((" ", "\\")):
            first = "\\" + first
        lines.append(first)
        lines.extend("  " + line for line in rest)
    return "\n".join(lines)


def _decode_steps(block: str) -> list[str]:
    if not block:
        return []
    steps: list[str] = []
    for line in block.split("\n"):
        if line.startswith("  ") and steps:
            steps[-1] += "\n" + line[2:]
        else:
            steps.append(line[1:] if line.startswith("\\") else line)
    return [_unescape(s) for s in steps]


def _numbered(steps: Sequence[str], answer: str) -> str:
    lines = ["Reasoning:"]
    for n, step in enumerate(steps, start=1):
        # Single-line steps (nearly all) skip the split: exports render every record.
        if "\n" not in step:
            lines.append(f"{n}. {step}")
            continue
        first, *rest = step.split("\n")
        lines.append(f"{n}. {first}")
        lines.extend("   " + line for line in rest)
    lines.append(f"Answer: {answer}")
    return "\n".join(lines)


def render_body(steps: Sequence[str], answer: str, *, style: TraceStyle) -> str:
    """The reasoning and answer in the given style, without the end-of-turn marker."""
    if style is TraceStyle.NUMBERED:
        return _numbered(steps, answer)
    if style is TraceStyle.TAGGED:
        block = _encode_steps(steps)
        return f"<reasoning>{block}</reasoning>\n<answer>{_escape(answer)}</answer>"
    if style is TraceStyle.THINK:
        return f"<think>\n{_encode_steps(steps)}\n</think>\n{_escape(answer)}"
    return f"Answer: {answer}"


def render_example(
    prompt: str,
    steps: Sequence[str],
    answer: str,
    *,
    template: ChatTemplate,
    style: TraceStyle,
    system: str | None = None,
) -> RenderedExample:
    """Prompt and completion of one record; the completion ends with the end-of-turn marker."""
    body = render_body(steps, answer, style=style)
    return RenderedExample(
        prompt=render_prompt(prompt, template=template, system=system),
        completion=body + end_of_turn(template),
    )


ApplyChatTemplate = Callable[..., str]


def render_with_chat_template(
    apply_chat_template: ApplyChatTemplate,
    prompt: str,
    steps: Sequence[str],
    answer: str,
    *,
    style: TraceStyle,
    system: str | None = None,
) -> RenderedExample:
    """Render with a tokenizer's own template (``tokenizer.apply_chat_template``)."""
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    head = apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    body = render_body(steps, answer, style=style)
    full = apply_chat_template([*messages, {"role": "assistant", "content": body}], tokenize=False)
    if not full.startswith(head):
        raise ValueError("the tokenizer's chat template does not extend the prompt turn")
    return RenderedExample(prompt=head, completion=full[len(head) :])


def _strip_end(text: str, template: ChatTemplate | None) -> str:
    markers = [end_of_turn(template)] if template else list(_END_OF_TURN.values())
    for marker in markers:
        if marker and marker in text:
            text = text[: text.index(marker)]
    return text


def _parse_numbered(text: str) -> ParsedCompletion:
    lines = text.split("\n")
    problems: list[str] = []
    start = 1 if lines and lines[0] == "Reasoning:" else 0
    if start == 0:
        problems.append("missing 'Reasoning:' header")
    steps: list[str] = []
    for idx in range(start, len(lines)):
        line = lines[idx]
        if line.startswith("Answer:"):
            rest = "\n".join([line[len("Answer:") :].removeprefix(" "), *lines[idx + 1 :]])
            return ParsedCompletion(steps, rest, not problems and bool(steps), problems)
        match = _NUMBERED_STEP.match(line)
        if match and int(match.group(1)) == len(steps) + 1:
            steps.append(line[match.end() :])
        elif line.startswith("   ") and steps:
            steps[-1] += "\n" + line[3:]
        else:
            problems.append(f"line {idx + 1} is neither a numbered step nor the answer")
    if not steps:
        problems.append("no reasoning steps")
    return ParsedCompletion(steps, None, False, [*problems, "no 'Answer:' line"])


def _between(
    text: str, open_tag: str, close_tag: str, start: int = 0
) -> tuple[str | None, int, bool]:
    """Content between tags from ``start``: (content, end index, closed)."""
    begin = text.find(open_tag, start)
    if begin < 0:
        return None, start, False
    begin += len(open_tag)
    end = text.find(close_tag, begin)
    if end < 0:
        return text[begin:], len(text), False
    return text[begin:end], end + len(close_tag), True


def _parse_tagged(text: str) -> ParsedCompletion:
    problems: list[str] = []
    block, pos, closed = _between(text, "<reasoning>", "</reasoning>")
    if block is None:
        problems.append("missing <reasoning>")
        pos = 0
    elif not closed:
        problems.append("unclosed <reasoning>")
    answer, _, answer_closed = _between(text, "<answer>", "</answer>", pos)
    if answer is None:
        problems.append("missing <answer>")
    elif not answer_closed:
        problems.append("unclosed <answer>")
    steps = _decode_steps(block or "")
    if not steps:
        problems.append("empty reasoning")
    return ParsedCompletion(
        steps, None if answer is None else _unescape(answer), not problems, problems
    )


def _parse_think(text: str) -> ParsedCompletion:
    problems: list[str] = []
    block, pos, closed = _between(text, "<think>", "</think>")
    if block is None:
        return ParsedCompletion([], None, False, ["missing <think>"])
    if not closed:
        return ParsedCompletion(_decode_steps(block.strip("\n")), None, False, ["unclosed <think>"])
    block = block.removeprefix("\n").removesuffix("\n")
    steps = _decode_steps(block)
    if not steps:
        problems.append("empty reasoning")
    answer = _unescape(text[pos:].removeprefix("\n"))
    if not answer:
        problems.append("no answer after </think>")
    return ParsedCompletion(steps, answer or None, not problems, problems)


def parse_completion(
    text: str, *, style: TraceStyle, template: ChatTemplate | None = None
) -> ParsedCompletion:
    """Invert ``render_body`` (and strip an end-of-turn marker); lenient on model output."""
    text = _strip_end(text, template)
    if style is TraceStyle.NUMBERED:
        return _parse_numbered(text)
    if style is TraceStyle.TAGGED:
        return _parse_tagged(text)
    if style is TraceStyle.THINK:
        return _parse_think(text)
    if text.startswith("Answer:"):
        return ParsedCompletion([], text[len("Answer:") :].removeprefix(" "), True, [])
    return ParsedCompletion([], None, False, ["no 'Answer:' prefix"])
