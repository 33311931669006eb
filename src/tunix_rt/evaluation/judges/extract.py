"""Finds the answer span in a model's output, following the trace style it was trained on (pure).

The style's own marker is read exactly as ``datasets.render.parse_completion`` reads it (a test
checks the two agree on every rendered example); this module only avoids the full parse on the
hot path. When the style's marker is missing, other markers are tried, and finally the last
number in the text; the method used is recorded, so a fallback is never mistaken for a
well-formed answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, end_of_turn, parse_completion
from tunix_rt.evaluation.judges.normalize import last_boxed

_END_MARKERS = tuple(m for m in (end_of_turn(t) for t in ChatTemplate) if m)
_LAST_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?%?|-?\.\d+")
_PHRASE = re.compile(r"(?:final answer|answer) is\s*:?\s*", re.IGNORECASE)


class Method:
    """How the answer span was found."""

    ANSWER_LINE = "answer_line"
    ANSWER_TAG = "answer_tag"
    AFTER_THINK = "after_think"
    BOXED = "boxed"
    PHRASE = "answer_phrase"
    LAST_NUMBER = "last_number"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Extraction:
    """The answer span, how it was found, and whether its end was seen."""

    span: str | None
    method: str
    # False when the span runs into the end of a truncated output (it may be cut short).
    complete: bool
    # An explicit answer marker (answer line, closed answer tag, text after </think>) found it,
    # not a fallback (boxed, "the answer is", last number).
    marked: bool = False


def strip_end_marker(text: str) -> str:
    """Text before the first end-of-turn marker of any template."""
    for marker in _END_MARKERS:
        pos = text.find(marker)
        if pos >= 0:
            text = text[:pos]
    return text


def _first_line(rest: str, truncated: bool) -> tuple[str, bool]:
    """The first non-blank line, and whether its end was seen."""
    line, newline, _ = rest.lstrip().partition("\n")
    return line.strip(), bool(newline) or not truncated


def _answer_line(text: str, truncated: bool) -> Extraction | None:
    """``Answer: X`` at the start of a line (the numbered and answer-only styles)."""
    if text.startswith("Answer:"):
        pos = 0
    else:
        pos = text.find("\nAnswer:") + 1
        if pos == 0:
            return None
    span, complete = _first_line(text[pos + 7 :], truncated)
    return Extraction(span, Method.ANSWER_LINE, complete, marked=True)


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
        span, complete = _first_line(text[begin:], truncated)
        return Extraction(span, Method.ANSWER_TAG, complete)
    span = text[begin:end].lstrip().partition("\n")[0].strip()
    return Extraction(span, Method.ANSWER_TAG, True, marked=True)


def _after_think(text: str, truncated: bool) -> Extraction | None:
    """The text after ``</think>`` (the think style)."""
    begin = text.find("<think>")
    end = text.find("</think>", max(begin, 0))
    if end < 0:
        return None
    rest = text[end + len("</think>") :].strip()
    line, complete = _first_line(rest, truncated)
    if not line:
        return None
    return Extraction(line, Method.AFTER_THINK, complete, marked=begin >= 0)


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for match in pattern.finditer(text):
        start, end = match.span()
        # A step's enumerator ("\n2. ") is not an answer.
        if (start == 0 or text[start - 1] == "\n") and text.startswith(". ", end):
            continue
        found = match
    return found


def _fallback(text: str, truncated: bool) -> Extraction:
    boxed = last_boxed(text)
    if boxed is not None:
        return Extraction(boxed.strip(), Method.BOXED, True)
    phrase = _last(_PHRASE, text)
    if phrase is not None:
        span, complete = _first_line(text[phrase.end() :], truncated)
        if span:
            return Extraction(span, Method.PHRASE, complete)
    number = _last(_LAST_NUMBER, text)
    if number is None:
        return Extraction(None, Method.NONE, not truncated)
    return Extraction(number.group(), Method.LAST_NUMBER, number.end() < len(text) or not truncated)


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
    text: str, *, style: TraceStyle | None = None, truncated: bool = False
) -> Extraction:
    """The answer span of ``text``: the style's marker first, then other markers, then fallbacks."""
    text = strip_end_marker(text)
    if "&" in text and style is not None:
        # Escaped tags in the answer: let the renderer's own parser unescape them.
        parsed = parse_completion(text, style=style)
        if parsed.answer is not None and parsed.well_formed:
            span, complete = _first_line(parsed.answer.strip(), truncated)
            return Extraction(span, _STYLE_METHOD[style], complete, marked=True)
    for finder in _BY_STYLE[style]:
        found = finder(text, truncated)
        if found is not None and found.span:
            return found
    return _fallback(text, truncated)
