"""Scores the corpus with ``answer_correctness`` and with math-verify; prints the agreement table
and every disagreement with who is right by the label.

    python -m tests.evaluation.corpus.report [--all]    # --all: also list every miss of ours

A judge is *right* on a sample when it calls the output correct exactly when the label is
``correct`` (math-verify only answers yes or no, so this is the comparison both can have).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass

from tests.evaluation.corpus import build_corpus
from tests.evaluation.corpus.writers import Sample

from tunix_rt.evaluation.judges import answer_correctness
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction, Verdict


@dataclass(frozen=True)
class Scored:
    """One sample with both judges' calls."""

    sample: Sample
    verdict: Verdict
    reference: bool | None  # None: math-verify is not installed

    @property
    def truth(self) -> bool:
        return self.sample.label == "correct"

    @property
    def ours(self) -> bool:
        return self.verdict.label == "correct"

    @property
    def ours_right(self) -> bool:
        return self.ours == self.truth

    @property
    def reference_right(self) -> bool:
        return self.reference == self.truth


def ours(sample: Sample) -> Verdict:
    """``answer_correctness`` on a sample (free-form: no trace style)."""
    item = JudgeItem(id=sample.id, prompt=sample.question, expected_answer=sample.expected)
    return answer_correctness.judge(item, Prediction(sample.text, truncated=sample.truncated))


def reference_text(text: str) -> str:
    """What math-verify is given: the text, or the ``<answer>`` body when there is one (as
    Tunix's GSM8K reward does: math-verify does not extract a number glued to ``>``)."""
    begin, end = text.find("<answer>"), text.find("</answer>")
    if 0 <= begin < end:
        return text[begin + len("<answer>") : end]
    return text


def math_verify_says(sample: Sample) -> bool | None:
    """math-verify 0.9.0 ``verify(parse(expected), parse(output))``; None when not installed."""
    try:
        import math_verify
    except ImportError:
        return None
    gold = math_verify.parse(sample.expected)
    answer = math_verify.parse(reference_text(sample.text))
    return bool(math_verify.verify(gold, answer))


def score(samples: list[Sample] | None = None) -> list[Scored]:
    """Both judges on every sample."""
    return [Scored(s, ours(s), math_verify_says(s)) for s in samples or build_corpus()]


def _row(name: str, rows: list[Scored]) -> str:
    n = len(rows)
    right = sum(r.ours_right for r in rows)
    ref = sum(r.reference_right for r in rows)
    agree = sum(r.ours == r.reference for r in rows)
    return f"{name:<22} {n:>5} {right / n:>8.2%} {ref / n:>8.2%} {agree / n:>8.2%}"


def table(scored: list[Scored]) -> str:
    """Per writer, per label and overall: samples, ours right, math-verify right, agreement."""
    lines = [f"{'group':<22} {'n':>5} {'ours':>8} {'m-verify':>8} {'agree':>8}"]
    for key in ("writer", "label"):
        for value in sorted({getattr(r.sample, key) for r in scored}):
            lines.append(
                _row(f"{key}={value}", [r for r in scored if getattr(r.sample, key) == value])
            )
    numeric = [r for r in scored if not r.sample.word_answer]
    lines.append(_row("number answers", numeric))
    lines.append(_row("word answers", [r for r in scored if r.sample.word_answer]))
    lines.append(_row("ALL", scored))
    return "\n".join(lines)


def _show(r: Scored) -> str:
    s = r.sample
    who = "ours" if r.ours_right else "math-verify" if r.reference_right else "neither"
    return (
        f"{s.id} label={s.label} expected={s.expected!r} truncated={s.truncated} "
        f"ours={r.verdict.label}({r.verdict.details.get('method')}, {r.verdict.extracted!r}) "
        f"math_verify={r.reference} right={who}\n    {s.text[-160:]!r}"
    )


def report(scored: list[Scored], *, every_miss: bool = False) -> str:
    """The table, the label confusion of ours, every disagreement (and optionally every miss)."""
    out = [table(scored), "", "ours by true label (rows) and verdict label (columns):"]
    confusion = Counter((r.sample.label, r.verdict.label) for r in scored)
    labels = ("correct", "wrong", "truncated", "no_answer")
    out.append(" " * 12 + "".join(f"{v:>11}" for v in labels))
    for truth in labels:
        out.append(f"{truth:<12}" + "".join(f"{confusion[truth, v]:>11}" for v in labels))
    split = [r for r in scored if r.reference is not None and r.ours != r.reference]
    won = sum(r.ours_right for r in split)
    out.append(
        f"\ndisagreements: {len(split)} (ours right on {won}, math-verify on {len(split) - won})"
    )
    out += [_show(r) for r in split]
    if every_miss:
        misses = [r for r in scored if not r.ours_right]
        out.append(f"\nevery miss of ours: {len(misses)}")
        out += [_show(r) for r in misses]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Print the report; exit 1 when the goal (>= 99.5% right, never worse) does not hold."""
    scored = score()
    print(report(scored, every_miss="--all" in argv))
    right = sum(r.ours_right for r in scored) / len(scored)
    worse = [r for r in scored if r.reference_right and not r.ours_right]
    print(
        f"\nours right on {right:.2%} of {len(scored)}; math-verify right, ours not: {len(worse)}"
    )
    return 0 if right >= 0.995 and not worse else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
