"""Re-computes the arithmetic claims written in reasoning steps (``a op b [op c ...] = r``).

A claim is a run of numbers, operators (``+ - * / x``, the Unicode times, division and minus
signs), parentheses and ``=``/``≈`` inside a step's text. Each ``=`` is checked exactly with
fractions (no floats). ``≈``, and an ``=`` whose exact value has no finite decimal
(``1 / 3 = 0.33``), accept a decimal answer rounded to the number of places written.
Runs glued to letters or symbols (``x^2 + 3 = 7``, ``3 + 4 = 7th``) drop the glued segment,
so algebra and units are not mistaken for claims.

Rounding to the stated precision is correct: a result written with two decimals is an amount
in cents (``19.99 * 0.15 = 3.00``: 2.9985 to the cent), and a step that says it rounds
("rounded", "to the nearest tenth", "2 d.p.") accepts the places written. Column tails
(``write 4 carry 1``, ``w4 b1``), carry chains and operations in words (``13 minus 8 is 5``)
are claims too (``traces.columns``); a tail or chain that agrees with a step's own ``=`` claim
only restates it and adds no claim, one that disagrees is a wrong claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from tunix_rt.traces.columns import column_checks, rewrite_words

_TOKEN = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    "|(?P<op>[+\\-*/\u00d7\u00f7\u00b7\u2212])"
    r"|(?P<x>[xX](?=[ \t]*[\d(]))"
    r"|(?P<eq>=|≈)"
    r"|(?P<lp>\()"
    r"|(?P<rp>\))"
    r"|(?P<ws>[ \t]+)"
    r"|(?P<cur>[$€£])"
)
_OP_CANON = {"\u00d7": "*", "x": "*", "X": "*", "\u00b7": "*", "\u00f7": "/", "\u2212": "-"}
# Characters that may sit right next to a claim without being part of something else.
_LEFT_OK = set(" \t\n\r:;,([{\"'`$€£")
_RIGHT_OK = set(" \t\n\r.,;:!?)]}\"'`")


@dataclass(frozen=True)
class StepVerdict:
    """One checked claim: ``expression`` should equal ``claimed``; ``actual`` is its value."""

    index: int
    expression: str
    claimed: str
    actual: str
    ok: bool


@dataclass(frozen=True)
class StepCheckResult:
    """``checked`` counts steps holding at least one claim; ``verdicts`` has every claim."""

    checked: int
    wrong: list[StepVerdict]
    verdicts: list[StepVerdict]

    @property
    def first_wrong(self) -> StepVerdict | None:
        """The earliest wrong claim, if any."""
        return self.wrong[0] if self.wrong else None


@dataclass(frozen=True)
class _Tok:
    kind: str  # num | op | eq | lp | rp
    text: str
    start: int
    end: int


def _runs(text: str) -> list[list[_Tok]]:
    """Maximal runs of arithmetic tokens (whitespace and currency signs inside are skipped)."""
    runs: list[list[_Tok]] = []
    current: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        kind = match.lastgroup if match else None
        if match and kind == "x" and not (current and current[-1].kind in ("num", "rp")):
            match = None
        if match is None or kind is None:
            if current:
                runs.append(current)
            current = []
            pos += 1
            continue
        if kind not in ("ws", "cur"):
            name = "op" if kind == "x" else kind
            current.append(_Tok(name, match.group(), match.start(), match.end()))
        pos = match.end()
    if current:
        runs.append(current)
    return runs


def _split(run: list[_Tok]) -> tuple[list[list[_Tok]], list[str]]:
    """Segments between equals signs, and the sign (``=`` or ``≈``) after each but the last."""
    segments: list[list[_Tok]] = [[]]
    signs: list[str] = []
    for tok in run:
        if tok.kind == "eq":
            segments.append([])
            signs.append(tok.text)
        else:
            segments[-1].append(tok)
    return segments, signs


def _trim_edges(text: str, segments: list[list[_Tok]]) -> None:
    """Empty the outer segments when glued to other text, and strip dangling edge tokens."""
    first, last = segments[0], segments[-1]
    if first and first[0].start > 0 and text[first[0].start - 1] not in _LEFT_OK:
        first.clear()
    # "Add them - 3 + 4": a sign followed by a space is a dash in the prose.
    while first and (
        first[0].kind == "rp"
        or (first[0].kind == "op" and first[0].text not in "+-\u2212")
        or (first[0].kind == "op" and len(first) > 1 and first[1].start > first[0].end)
    ):
        first.pop(0)
    if last and last[-1].end < len(text) and text[last[-1].end] not in _RIGHT_OK:
        last.clear()
    while last and last[-1].kind in ("op", "lp"):
        last.pop()
    _balance(first, opening=True)
    _balance(last, opening=False)


def _balance(segment: list[_Tok], *, opening: bool) -> None:
    """Drop an unmatched ``(`` opening the first segment or ``)`` closing the last."""
    depth = sum(1 if t.kind == "lp" else -1 if t.kind == "rp" else 0 for t in segment)
    if opening:
        while depth > 0 and segment and segment[0].kind == "lp":
            segment.pop(0)
            depth -= 1
    else:
        while depth < 0 and segment and segment[-1].kind == "rp":
            segment.pop()
            depth += 1


class _Parser:
    """Recursive descent over one segment: sums of products of signed factors."""

    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0

    def parse(self) -> Fraction:
        value = self._sum()
        if self.pos != len(self.toks):
            raise ValueError("trailing tokens")
        return value

    def _peek_op(self, ops: str) -> str | None:
        if self.pos < len(self.toks) and self.toks[self.pos].kind == "op":
            op = _OP_CANON.get(self.toks[self.pos].text, self.toks[self.pos].text)
            if op in ops:
                self.pos += 1
                return op
        return None

    def _sum(self) -> Fraction:
        value = self._product()
        while (op := self._peek_op("+-")) is not None:
            rhs = self._product()
            value = value + rhs if op == "+" else value - rhs
        return value

    def _product(self) -> Fraction:
        value = self._factor()
        while (op := self._peek_op("*/")) is not None:
            rhs = self._factor()
            if op == "/" and rhs == 0:
                raise ZeroDivisionError
            value = value * rhs if op == "*" else value / rhs
        return value

    def _factor(self) -> Fraction:
        if (op := self._peek_op("+-")) is not None:
            return -self._factor() if op == "-" else self._factor()
        if self.pos >= len(self.toks):
            raise ValueError("missing operand")
        tok = self.toks[self.pos]
        self.pos += 1
        if tok.kind == "num":
            return Fraction(tok.text.replace(",", ""))
        if tok.kind == "lp":
            value = self._sum()
            if self.pos >= len(self.toks) or self.toks[self.pos].kind != "rp":
                raise ValueError("unclosed parenthesis")
            self.pos += 1
            return value
        raise ValueError(f"unexpected {tok.text!r}")


def _terminates(value: Fraction) -> bool:
    """Whether the value has a finite decimal expansion."""
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def _format(value: Fraction) -> str:
    """An exact, readable rendering: ``42``, ``3.5``, or ``10/3`` for repeating decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    if _terminates(value):
        places = 0
        while (value * 10**places).denominator != 1:
            places += 1
        scaled = abs(value.numerator * 10**places // value.denominator)
        digits = str(scaled).rjust(places + 1, "0")
        sign = "-" if value < 0 else ""
        return f"{sign}{digits[:-places]}.{digits[-places:]}"
    return f"{value.numerator}/{value.denominator}"


_ROUNDING = re.compile(
    r"\bround|\bnearest\b|\bd\.\s?p\.|\bdecimal places?\b|\bapprox", re.IGNORECASE
)


def _equal(
    actual: Fraction, claimed: Fraction, claimed_toks: list[_Tok], sign: str, rounds: bool
) -> bool:
    """Exact equality, or rounding to the written places where ``≈``, no finite decimal, a
    cents amount (two decimals) or a step that says it rounds (``rounds``)."""
    if actual == claimed:
        return True
    if len(claimed_toks) != 1:
        return False
    written = claimed_toks[0].text
    places = len(written.split(".", 1)[1]) if "." in written else 0
    rounding_ok = sign == "≈" or not _terminates(actual) or rounds or places == 2
    return rounding_ok and abs(actual - claimed) <= Fraction(1, 2 * 10**places)


def _text(text: str, toks: list[_Tok]) -> str:
    return text[toks[0].start : toks[-1].end] if toks else ""


def _value(toks: list[_Tok]) -> Fraction | None:
    try:
        return _Parser(toks).parse() if toks else None
    except (ValueError, ZeroDivisionError):
        return None


def _claims(index: int, text: str) -> list[StepVerdict]:
    """Every checkable equality in one step's text."""
    verdicts: list[StepVerdict] = []
    rounds = _ROUNDING.search(text) is not None
    text = rewrite_words(text)
    for run in _runs(text):
        segments, signs = _split(run)
        if not signs:
            continue
        _trim_edges(text, segments)
        for n, sign in enumerate(signs):
            left, right = segments[n], segments[n + 1]
            if not left or not right or not any(t.kind == "op" for t in left + right):
                continue
            actual, claimed = _value(left), _value(right)
            if claimed is None or (actual is None and not _divides_by_zero(left)):
                continue
            ok = actual is not None and _equal(actual, claimed, right, sign, rounds)
            shown = _format(actual) if actual is not None else "undefined (division by zero)"
            verdicts.append(StepVerdict(index, _text(text, left), _text(text, right), shown, ok))
    return verdicts


def _divides_by_zero(toks: list[_Tok]) -> bool:
    try:
        _Parser(toks).parse()
    except ZeroDivisionError:
        return True
    except ValueError:
        return False
    return False


def evaluate_expression(text: str) -> Fraction | None:
    """The exact value of ``text`` when it is one arithmetic expression with an operator
    (``116-5``, ``3 * 7.12``, ``(2 + 3) * 4``), else None."""
    runs = _runs(text)
    if len(runs) != 1 or any(t.kind == "eq" for t in runs[0]):
        return None
    toks = runs[0]
    if toks[0].start != len(text) - len(text.lstrip()) or toks[-1].end != len(text.rstrip()):
        return None
    if not any(t.kind == "op" for t in toks):
        return None
    return _value(toks)


def check_steps(steps: Sequence[str]) -> StepCheckResult:
    """Check every arithmetic claim in ``steps``; ``StepVerdict.index`` is the position."""
    verdicts: list[StepVerdict] = []
    columns: dict[int, list[StepVerdict]] = {}
    for index, expression, claimed, actual, ok in column_checks(steps):
        columns.setdefault(index, []).append(StepVerdict(index, expression, claimed, actual, ok))
    checked = 0
    for index, text in enumerate(steps):
        found = _claims(index, text)
        # A tail that agrees with the step's own "=" claim restates it: it adds no claim.
        found += [v for v in columns.get(index, []) if not (found and v.ok)]
        checked += bool(found)
        verdicts.extend(found)
    return StepCheckResult(
        checked=checked, wrong=[v for v in verdicts if not v.ok], verdicts=verdicts
    )
