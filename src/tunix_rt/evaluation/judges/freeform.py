"""The answer in a free-form output, when the trace style's own marker is missing (pure).

Tried in this order, the first that finds something wins (``Method`` names each):

1. ``#### X`` (GSM8K) on its own line: ``gsm8k_marker``;
2. ``Answer: X`` / ``Final answer: X`` at a line start, any case, markdown allowed
   (``**Final Answer:** X``, ``### Final Answer`` then ``X``): ``answer_marker``;
3. the last ``\\boxed{X}``: ``boxed``;
4. the last "the (final) answer is X" that opens a sentence or follows a connective ("so",
   "therefore", "I think") and is followed by an answer-like span (a number, a short phrase;
   not "to add them first"): ``answer_phrase``;
5. the last sentence opening with a conclusion cue ("So", "Therefore", "In total") when no
   computation follows it: its main clause's last number: ``conclusion``;
6. the last number: ``last_number``;
7. for a word answer, the last sentence naming a word of its kind (a yes/no, a weekday):
   ``last_sentence``.

Steps 5-7 stop at a verification section ("Check: ...", "Let me verify ..."), skip comparison
restatements ("..., which is 7 more than Ben's 7") and read LaTeX numbers (``\\frac{3}{4}``,
``\\$12``). A marker whose line is empty and whose next line is a step header is a heading.
Of several markers of one kind the first counts, unless a correction ("wait", "that is not
right") follows it and another marker comes after the correction.
Markers 1-4 are *marked* when their end was seen (the line or sentence ended, the box
closed): only those count in a truncated output.
"""

from __future__ import annotations

import re

from tunix_rt.evaluation.judges import words
from tunix_rt.evaluation.judges.normalize import boxed_span, latex_to_plain
from tunix_rt.evaluation.judges.sentences import (
    conclusion,
    is_step_header,
    last_number,
    phrase,
    word_sentence,
)
from tunix_rt.evaluation.judges.types import Extraction, Method

__all__ = [
    "Extraction",
    "Method",
    "after_corrections",
    "find",
    "first_line",
    "is_step_header",
    "looks_cut",
]


_DECOR = "*_#>`:- \t"
# Prose after "Answer:" longer than this is a heading's body, not an answer.
_MAX_ANSWER_WORDS = 12


def first_line(rest: str, truncated: bool) -> tuple[str, bool]:
    """The first non-blank line, and whether its end was seen."""
    line, newline, _ = rest.lstrip().partition("\n")
    return line.strip(), bool(newline) or not truncated


def is_heading_body(line: str) -> bool:
    """The line after an empty answer marker starts the working, not the answer."""
    return is_step_header(line) or len(line.split()) > _MAX_ANSWER_WORDS


def marker_span(rest: str, truncated: bool) -> tuple[str, bool] | None:
    """The answer after a marker: its own line, else the next line unless that starts working."""
    own, newline, after = rest.partition("\n")
    own = own.strip()
    if own:
        return own, bool(newline) or not truncated
    line, complete = first_line(after, truncated)
    if not line or is_heading_body(line):
        return None
    return line, complete


_GSM8K = re.compile(r"^[ \t]*####[ \t]*(.*)$", re.MULTILINE)
_MARKER = re.compile(
    r"^[ \t*_#>]*(?:final[ \t]+answer|answer)[ \t]*(?:\*\*|__)?[ \t]*(?::|$)[ \t*_]*",
    re.IGNORECASE | re.MULTILINE,
)


def _gsm8k(text: str, truncated: bool) -> Extraction | None:
    for match in _GSM8K.finditer(text):
        span = match.group(1).strip()
        if span:
            complete = match.end() < len(text) or not truncated
            return Extraction(span, Method.GSM8K, complete, marked=complete)
    return None


_CORRECTION = re.compile(
    r"\b(?:wait|actually|oops|sorry|correction|mistake|not right|misread|redo|re-?check|"
    r"on second thought)\b",
    re.IGNORECASE,
)


def after_corrections(text: str, found: list[tuple[int, Extraction]]) -> Extraction | None:
    """The first marker's answer, or a later marker's when a correction ("wait", "that is not
    right") comes between them."""
    if not found:
        return None
    at, chosen = found[0]
    for pos, later in found[1:]:
        if _CORRECTION.search(text, at, pos):
            at, chosen = pos, later
    return chosen


def _marker(text: str, truncated: bool) -> Extraction | None:
    found = []
    for match in _MARKER.finditer(text):
        got = marker_span(text[match.end() :], truncated)
        if got is not None and got[0].strip("*_ "):
            span, complete = got
            found.append(
                (match.start(), Extraction(span.strip("*_ "), Method.MARKER, complete, complete))
            )
    return after_corrections(text, found)


def _boxed(text: str) -> Extraction | None:
    found = boxed_span(text)
    if found is None or not found[0].strip():
        return None
    span, closed = found
    return Extraction(span.strip(), Method.BOXED, closed, marked=closed)


def find(
    text: str, truncated: bool, *, word_kind: str | None = None, prompt: str = ""
) -> Extraction:
    """The first of the free-form finders that finds an answer (see the module docstring)."""
    for finder in (_gsm8k, _marker):
        found = finder(text, truncated)
        if found is not None:
            return found
    found = _boxed(text)
    if found is not None:
        return found
    plain = latex_to_plain(text)
    found = phrase(plain, truncated)
    if found is not None:
        return found
    if word_kind is not None:
        sentence = word_sentence(plain, word_kind, prompt)
        if sentence is not None:
            return Extraction(sentence, Method.LAST_SENTENCE, not truncated)
    found = conclusion(plain, truncated) or last_number(plain, truncated)
    if found is not None:
        return found
    return Extraction(None, Method.NONE, not truncated)


def looks_cut(text: str) -> bool:
    """The output stops mid-expression or mid-sentence (a cut the generator did not flag)."""
    return words.ends_dangling(latex_to_plain(text))
