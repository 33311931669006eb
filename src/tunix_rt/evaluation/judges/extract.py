"""Finds the answer span in a model's output, following the trace style it was trained on (pure).

The style's own marker is read exactly as ``datasets.render.parse_completion`` reads it (a test
checks the two agree on every rendered example); this module only avoids the full parse on the
hot path. When the style's marker is missing, the other styles' markers are tried, then the
free-form markers and fallbacks of ``judges.freeform`` (``#### X``, ``Final answer: X``,
``\\boxed{}``, "the answer is X", a concluding sentence, the last number, the last sentence);
the method used is recorded, so a fallback is never mistaken for a well-formed answer.

An answer marker whose own line is empty and whose next line is a step header (``Answer:`` /
blank line / ``Step 1: ...``) is a heading, not an answer: it is skipped.
"""

from __future__ import annotations

import re

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, end_of_turn, parse_completion
from tunix_rt.evaluation.judges import freeform
from tunix_rt.evaluation.judges.freeform import is_step_header
from tunix_rt.evaluation.judges.types import Extraction, Method

__all__ = ["Extraction", "Method", "extract_answer", "strip_end_marker"]

_END_MARKERS = tuple(m for m in (end_of_turn(t) for t in ChatTemplate) if m)
_ANSWER_LINE = re.compile(r"(?:^|\n)Answer:")


def strip_end_marker(text: str) -> str:
    """Text before the first end-of-turn marker of any template."""
    for marker in _END_MARKERS:
        pos = text.find(marker)
        if pos >= 0:
            text = text[:pos]
    return text


def _answer_line(text: str, truncated: bool) -> Extraction | None:
    """``Answer: X`` at the start of a line (the numbered and answer-only styles)."""
    found = []
    for match in _ANSWER_LINE.finditer(text):
        got = freeform.marker_span(text[match.end() :], truncated)
        if got is not None:
            span, complete = got
            found.append((match.start(), Extraction(span, Method.ANSWER_LINE, complete, True)))
    return freeform.after_corrections(text, found)


def _answer_tag(text: str, truncated: bool) -> Extraction | None:
    """``<answer>X</answer>`` after the reasoning block (the tagged style)."""
    start = text.find("</reasoning>")
    start = 0 if start < 0 else start
    begin = text.find("<answer>", start)
    if begin < 0:
        return None
    begin += len("<answer>")
    end = text.find("</answer>", begin)
    if end < 0:
        span, complete = freeform.first_line(text[begin:], truncated)
        return Extraction(span, Method.ANSWER_TAG, complete)
    span = text[begin:end].lstrip().partition("\n")[0].strip()
    return Extraction(span, Method.ANSWER_TAG, True, marked=True)


def _after_think(text: str, truncated: bool) -> Extraction | None:
    """The text after ``</think>`` (the think style).

    When that text is a worked solution (its first line is a step header), its own marker or
    fallback is used instead of its first line.
    """
    begin = text.find("<think>")
    end = text.find("</think>", max(begin, 0))
    if end < 0:
        return None
    rest = text[end + len("</think>") :].strip()
    line, complete = freeform.first_line(rest, truncated)
    if not line:
        return None
    if is_step_header(line):
        return freeform.find(rest, truncated)
    return Extraction(line, Method.AFTER_THINK, complete, marked=begin >= 0)


_STYLE_METHOD = {
    TraceStyle.NUMBERED: Method.ANSWER_LINE,
    TraceStyle.ANSWER_ONLY: Method.ANSWER_LINE,
    TraceStyle.TAGGED: Method.ANSWER_TAG,
    TraceStyle.THINK: Method.AFTER_THINK,
}
_BY_STYLE = {
    TraceStyle.NUMBERED: (_answer_line, _answer_tag, _after_think),
    TraceStyle.ANSWER_ONLY: (_answer_line, _answer_tag, _after_think),
    TraceStyle.TAGGED: (_answer_tag, _answer_line, _after_think),
    TraceStyle.THINK: (_after_think, _answer_tag, _answer_line),
    None: (_answer_tag, _answer_line, _after_think),
}


def extract_answer(
    text: str,
    *,
    style: TraceStyle | None = None,
    truncated: bool = False,
    word_kind: str | None = None,
    prompt: str = "",
) -> Extraction:
    """The answer span of ``text``: the style's marker first, then other markers, then fallbacks.

    ``word_kind`` (``words.kind`` of a word answer) lets the last fallback read the last
    sentence naming a word of that kind instead of the last number (less a sentence that only
    restates ``prompt``).
    """
    text = strip_end_marker(text)
    if "&" in text and style is not None:
        # Escaped tags in the answer: let the renderer's own parser unescape them.
        parsed = parse_completion(text, style=style)
        if parsed.answer is not None and parsed.well_formed:
            span, complete = freeform.first_line(parsed.answer.strip(), truncated)
            return Extraction(span, _STYLE_METHOD[style], complete, marked=True)
    for finder in _BY_STYLE[style]:
        found = finder(text, truncated)
        if found is not None and found.span:
            return found
    return freeform.find(text, truncated, word_kind=word_kind, prompt=prompt)
