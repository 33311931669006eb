"""The step splitter: reasoning text from elsewhere cut into trace steps (pure).

The first rule that fits the text wins, and its name is recorded in ``meta.step_split``:

1. ``numbered``: two or more lines that start ``1.``, ``2)`` or ``(3)``;
2. ``labelled``: lines that start ``Step 1:`` / ``Step 2.`` (any case, bold ``**Step 1:**`` too);
3. ``bullets``: two or more lines that start ``-``, ``*`` or ``•``;
4. ``lines``: two or more non-empty lines, one step each;
5. ``sentences`` (the last resort, for one paragraph): split after ``.``, ``!`` or ``?``
   followed by a space and a capital letter or a digit (so ``3.5`` and ``e.g. a`` stay whole);
6. ``whole``: one step holding all of the text.

For rules 1 to 3 the marker is dropped (the step's ``i`` keeps the order), a line without a marker
belongs to the step above it, and text before the first marker is a step of its own.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NUMBERED = re.compile(r"^\s*(?:\(\d{1,3}\)|\d{1,3}[.)])\s+(?P<rest>.*)$")
_LABELLED = re.compile(r"^\s*\**\s*step\s+\d{1,3}\s*[:.)]\s*\**\s*(?P<rest>.*)$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-*•]\s+(?P<rest>.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
# GSM8K's calculator annotations: "48/2 = <<48/2=24>>24" shows the result right after them.
_CALCULATOR = re.compile(r"<<[^<>\n]*>>")


class Split(NamedTuple):
    """The steps cut from a text and the rule that cut them (the module's list)."""

    steps: list[str]
    method: str


def strip_calculator(text: str) -> str:
    """GSM8K's ``<<48/2=24>>`` annotations removed (the visible text already says ``= 24``)."""
    return _CALCULATOR.sub("", text)


def _grouped(lines: list[str], marker: re.Pattern[str]) -> list[str]:
    """One step per marked line, with the unmarked lines below it appended."""
    steps: list[list[str]] = []
    for line in lines:
        match = marker.match(line)
        if match is not None:
            steps.append([match.group("rest").strip()])
        elif steps:
            steps[-1].append(line.strip())
        else:
            steps.append([line.strip()])  # the text before the first marker
    return [text for text in ("\n".join(part).strip() for part in steps) if text]


def _marked(lines: list[str], marker: re.Pattern[str]) -> int:
    return sum(1 for line in lines if marker.match(line))


def split_steps(text: str) -> Split:
    """``text`` cut into steps by the first rule that fits (see the module)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if _marked(lines, _NUMBERED) >= 2:
        return Split(_grouped(lines, _NUMBERED), "numbered")
    if _marked(lines, _LABELLED) >= 1:
        return Split(_grouped(lines, _LABELLED), "labelled")
    if _marked(lines, _BULLET) >= 2:
        return Split(_grouped(lines, _BULLET), "bullets")
    if len(lines) >= 2:
        return Split([line.strip() for line in lines], "lines")
    if not lines:
        return Split([], "whole")
    sentences = [s.strip() for s in _SENTENCE_END.split(lines[0]) if s.strip()]
    if len(sentences) >= 2:
        return Split(sentences, "sentences")
    return Split([lines[0].strip()], "whole")
