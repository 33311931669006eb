"""The records every judge shares: what it sees, and the verdict it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tunix_rt.datasets.render import ChatTemplate, TraceStyle


@dataclass(frozen=True, slots=True)
class JudgeItem:
    """One eval-set item as a judge sees it."""

    id: str
    prompt: str
    expected_answer: str
    section: str | None = None
    category: str | None = None
    difficulty: str | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    """A model's output for one item, and how it was trained to write it."""

    text: str
    # Generation stopped at the token limit rather than at an end-of-turn marker.
    truncated: bool = False
    # The trace style and chat template the model was trained with (None: unknown, sniffed).
    style: TraceStyle | None = None
    template: ChatTemplate | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judge's decision on one item; ``score`` None means the item was skipped (not scored)."""

    score: float | None
    label: str
    extracted: str | None = None
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stored per item)."""
        return {
            "score": self.score,
            "label": self.label,
            "extracted": self.extracted,
            "reason": self.reason,
            "details": dict(self.details),
        }


JudgeFn = Callable[[JudgeItem, Prediction], Verdict]


@dataclass(frozen=True)
class JudgeSpec:
    """A named judge: its function, version and the range its scores fall in."""

    name: str
    version: str
    score_range: tuple[float, float]
    description: str
    fn: JudgeFn
    # Scores are 0 or 1 only (so paired comparisons can use McNemar's exact test).
    binary: bool = True


class Method:
    """How an answer span was found (recorded as ``details.method`` on every verdict)."""

    ANSWER_LINE = "answer_line"
    ANSWER_TAG = "answer_tag"
    AFTER_THINK = "after_think"
    GSM8K = "gsm8k_marker"
    MARKER = "answer_marker"
    BOXED = "boxed"
    PHRASE = "answer_phrase"
    CONCLUSION = "conclusion"
    LAST_NUMBER = "last_number"
    LAST_SENTENCE = "last_sentence"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Extraction:
    """An answer span, how it was found, and whether its end was seen."""

    span: str | None
    method: str
    # False when the span runs into the end of a truncated output (it may be cut short).
    complete: bool
    # An explicit answer marker (answer line, closed tag or box, "#### X", "the answer is X.")
    # found it, not a guess (concluding sentence, last number, last sentence).
    marked: bool = False
