"""Word answers (a yes/no, a weekday, a place) and cut-off outputs (pure).

A word answer matches when the predicted span, normalised, equals the expected text, or
names it without naming an alternative:

- **boolean**: ``yes``/``true`` and ``no``/``false`` are one answer each; the span's boolean
  words (a ``not`` before one flips it; "no" before a word, as in "no divisors", is not one)
  must all agree; with none, a sentence restating the question "Is X Y?" as "X is (not) Y"
  answers it;
- **weekday**: full names and three-letter abbreviations; the span must name exactly one day
  (not counting one after "not");
- **anything else** (a place, a name): the span names the expected phrase as whole words, not
  negated ("not Paris", "Paris is wrong"), and offers no alternative ("Paris or Lyon").

In all three, of "X, but Y" the clause after the contrast decides when it names an answer.
"""

from __future__ import annotations

import re

_BOOL = {"yes": True, "true": True, "no": False, "false": False}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = {**{d: n for n, d in enumerate(_DAYS)}, **{d[:3]: n for n, d in enumerate(_DAYS)}}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NEGATION = {"not", "isn't", "never", "neither", "nor"}
_DENIAL = re.compile(r"^\s*(?:is|was)\s+(?:not|wrong|incorrect)\b|^\s*isn't\b")


def kind(expected: str) -> str:
    """``boolean``, ``weekday`` or ``phrase``: how a word answer is matched."""
    if expected in _BOOL:
        return "boolean"
    return "weekday" if expected in _DAY else "phrase"


def _booleans(span: str) -> set[bool]:
    found: set[bool] = set()
    tokens = list(_WORD.finditer(span))
    for n, match in enumerate(tokens):
        token = match.group()
        if token not in _BOOL:
            continue
        if token == "no" and n > 0 and re.match(r" [a-z]", span[match.end() : match.end() + 2]):
            continue  # "has no divisors": a determiner, not an answer
        negated = n > 0 and tokens[n - 1].group() in _NEGATION
        found.add(_BOOL[token] != negated)
    return found


def _days(span: str) -> set[int]:
    tokens = _WORD.findall(span)
    return {
        _DAY[t]
        for n, t in enumerate(tokens)
        if t in _DAY and not (n and tokens[n - 1] in _NEGATION)
    }


def _names_phrase(span: str, expected: str) -> bool:
    if re.search(r"\b(?:or|nor)\b", span) and not re.search(r"\b(?:or|nor)\b", expected):
        return False
    for match in re.finditer(rf"(?<![a-z0-9]){re.escape(expected)}(?![a-z0-9])", span):
        before = _WORD.findall(span[: match.start()])
        if before and before[-1] in _NEGATION:
            continue
        if _DENIAL.match(span[match.end() :]):
            continue
        return True
    return False


_POLAR_QUESTION = re.compile(
    r"(?:^|[.?!]\s+)is\s+(?P<subject>[^?.]+?)\s+(?P<predicate>[^?.]+)\?", re.I
)


def polar(sentence: str, prompt: str) -> bool | None:
    """For a prompt asking "Is X Y?", whether the sentence says "X is Y" (True) or "X is not Y"
    / "X isn't Y" (False); None when it says neither."""
    question = _POLAR_QUESTION.search(prompt)
    if question is None:
        return None
    subject = re.escape(question["subject"].lower())
    predicate = re.escape(question["predicate"].lower())
    said = re.search(rf"{subject}\s+(?P<verb>is not|isn't|is)\s+{predicate}", sentence.lower())
    return None if said is None else said["verb"] == "is"


_CONTRAST = re.compile(r"\b(?:but|however|though|although|whereas)\b|;")


def _after_contrast(span: str, how: str) -> str:
    """ "Lyon is the biggest city, but the capital is Paris": the clause after the last "but"
    decides when it still names an answer of the kind (a statement, for a phrase)."""
    tail = _CONTRAST.split(span)[-1]
    if tail == span:
        return span
    if how == "boolean":
        return tail if _booleans(tail) else span
    if how == "weekday":
        return tail if _days(tail) else span
    return tail if re.search(r"\b(?:is|it's|are)\b", tail) else span


def words_match(span: str, expected: str, prompt: str = "") -> bool:
    """Whether the normalised ``span`` gives the normalised word answer ``expected`` (for a
    yes/no without a yes or no in it, the restated question decides: ``polar``; days the prompt
    names do not count when the span names others too)."""
    if span == expected:
        return True
    how = kind(expected)
    span = _after_contrast(span, how)
    if how == "boolean":
        said = _booleans(span)
        if not said and (restated := polar(span, prompt)) is not None:
            said = {restated}
        return said == {_BOOL[expected]}
    if how == "weekday":
        if re.search(r"\bor\b", span):
            return False
        days = _days(span)
        if len(days) > 1:
            days -= _days(prompt.lower())
        return days == {_DAY[expected]}
    return _names_phrase(span, expected)


def names_kind(sentence: str, how: str, prompt: str = "") -> bool:
    """Whether a sentence names a word of this kind (a boolean word or the restated yes/no
    question, a weekday)."""
    lowered = sentence.lower()
    if how == "boolean":
        return bool(_booleans(lowered)) or polar(lowered, prompt) is not None
    return how == "weekday" and bool(_days(lowered))


_DANGLING_WORDS = frozenset(
    {"the", "a", "an", "is", "are", "was", "were", "of", "to", "and", "or", "by", "with", "from"}
    | {"for", "equals", "plus", "minus", "times", "divided", "multiplied", "into", "than"}
)
_DANGLING_TAIL = re.compile(r"(?:[=+\-*/\u00d7\u00f7(\[{,:\\]|\$)\s*$")


def ends_dangling(text: str) -> bool:
    """The text stops on an operator, an open bracket, a comma, or a word no sentence ends on."""
    tail = text.rstrip()
    if not tail:
        return False
    if _DANGLING_TAIL.search(tail):
        return True
    last = tail.rsplit(None, 1)[-1]
    return last.lower() in _DANGLING_WORDS
