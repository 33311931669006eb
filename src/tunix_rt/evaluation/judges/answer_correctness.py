"""``answer_correctness``: is the model's final answer the expected one? Score 0 or 1.

Labels: ``correct`` (1), ``wrong`` (0), ``no_answer`` (0: nothing answer-like in the output),
``truncated`` (0: generation hit the token limit before a complete, marked answer, or the
output stops mid-expression or mid-sentence and its answer was only guessed). The extracted
span and the extraction method (``last_number`` and other fallbacks included) are kept on
every verdict.

Numbers compare by value (``normalize``); a number followed by prose (``14 apples, which is 7
more``) is read up to the clause. Word answers (a yes/no, a weekday, a place) compare by
``words.words_match``.
"""

from __future__ import annotations

from tunix_rt.evaluation.judges import words
from tunix_rt.evaluation.judges.extract import Method, extract_answer, strip_end_marker
from tunix_rt.evaluation.judges.freeform import looks_cut
from tunix_rt.evaluation.judges.normalize import Answer, answers_match, normalize_answer
from tunix_rt.evaluation.judges.sentences import leading_clause
from tunix_rt.evaluation.judges.types import JudgeItem, JudgeSpec, Prediction, Verdict

NAME = "answer_correctness"
VERSION = "2.0"
SCORE_RANGE = (0.0, 1.0)


def _matches(span: str, got: Answer, want: Answer, prompt: str) -> bool:
    if answers_match(got, want):
        return True
    if want.value is not None:
        if got.value is not None:
            return False
        clause = leading_clause(span)
        return clause is not None and answers_match(normalize_answer(clause), want)
    return got.value is None and words.words_match(got.text, want.text, prompt)


def judge(item: JudgeItem, prediction: Prediction) -> Verdict:
    """Extract, normalise and compare the final answer (numbers by value)."""
    want = normalize_answer(item.expected_answer)
    word_kind = None if want.value is not None else words.kind(want.text)
    found = extract_answer(
        prediction.text,
        style=prediction.style,
        truncated=prediction.truncated,
        word_kind=word_kind,
        prompt=item.prompt,
    )
    details = {"method": found.method}
    if prediction.truncated and not (found.marked and found.complete):
        return Verdict(0.0, "truncated", found.span, "output hit the token limit", details)
    if found.span is not None and not found.marked and looks_cut(strip_end_marker(prediction.text)):
        return Verdict(0.0, "truncated", found.span, "output stops mid-sentence", details)
    if found.span is None or found.method == Method.NONE:
        return Verdict(0.0, "no_answer", None, "no answer found in the output", details)
    got = normalize_answer(found.span)
    if _matches(found.span, got, want, item.prompt):
        return Verdict(1.0, "correct", found.span, "", details)
    reason = f"expected {want.text!r}, got {got.text!r}"
    return Verdict(0.0, "wrong", found.span, reason, details)


SPEC = JudgeSpec(
    name=NAME,
    version=VERSION,
    score_range=SCORE_RANGE,
    description="Final answer equals the expected answer after normalisation (1) or not (0).",
    fn=judge,
)
