"""Claims written without ``=`` that ``stepcheck`` also checks (pure).

**Column work** (the arithmetic generator's notations, ``traces/generators/arithmetic.py``): a
column step ends with the digit written and the carry or borrow passed on, ``, write 4 carry
1`` (``words``) or `` w4 c1`` (``short``, ``reversed``). That tail is a claim:

- carry: the column's total (after ``=``, else the value of the expression) is
  ``10 * carry + digit``: ``7+6+1=14 w4 c1``, ``7+6+1 w4 c1``, ``7*6+4=42+4=46 w6 c4``;
- borrow: the digit is the column's result, a single digit, and the borrow is 1 exactly when
  the top digit was lent 10 (``13-8-1=4, write 4 borrow 1``; ``reversed``: ``3-8-1+10=4 w4
  b1``, the 10 added last); ``13-8-1 w4 b1`` without ``=`` too;
- the carry (borrow) a column passes on is the one the next column takes in: the last addend
  of ``8+5+1`` (the third term of ``10-7-1``) in the step right after;
- after a ``reversed`` restatement (``r 784 653``: the operands reversed, zero-padded), the
  k-th column of a sum or difference takes the k-th digit of each restated number.

**Subtraction and other operations in words**: ``13 minus 8 is 5``, ``subtract 8 from 13 to get
5``, ``take 8 from 13, leaving 5``, ``13 - 8 gives 5``, ``13 - 8 -> 5``, ``the difference of 13
and 8 is 5`` are rewritten to ``13 - 8 = 5`` before the claims are read (so are ``plus``,
``times``, ``multiplied by`` and ``divided by``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_NUM = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORD_OPS = (
    (re.compile(rf"({_NUM})\s+minus\s+(?=-?\d)", re.I), r"\1 - "),
    (re.compile(rf"({_NUM})\s+plus\s+(?=-?\d)", re.I), r"\1 + "),
    (re.compile(rf"({_NUM})\s+(?:times|multiplied by)\s+(?=-?\d)", re.I), r"\1 * "),
    (re.compile(rf"({_NUM})\s+divided by\s+(?=-?\d)", re.I), r"\1 / "),
    (re.compile(rf"({_NUM})\s+take away\s+(?=-?\d)", re.I), r"\1 - "),
    (
        re.compile(rf"\b(?:subtract|take)\s+({_NUM})\s+from\s+({_NUM})", re.I),
        r"\2 - \1",
    ),
    (
        re.compile(rf"\bthe difference (?:between|of)\s+({_NUM})\s+and\s+({_NUM})", re.I),
        r"\1 - \2",
    ),
)
_VERB = re.compile(
    r"(?<=\d)\s*,?\s+(?:is|equals|gives|makes|leaves|leaving|yields|to get|we get|->|→)\s+"
    r"(?=[-$€£]?\d)",
    re.I,
)
_ARROW = re.compile(r"(?<=\d)\s*(?:->|→)\s*(?=-?\d)")


_KEYWORDS = re.compile(
    r"minus|plus|times|multiplied|divided|take|subtract|difference|->|\u2192|\bis\b|equals|"
    r"gives|makes|leav|yields|\bget\b",
    re.IGNORECASE,
)


def rewrite_words(text: str) -> str:
    """Operations and results written in words become ``a op b = c``."""
    if _KEYWORDS.search(text) is None:
        return text
    for pattern, replacement in _WORD_OPS:
        text = pattern.sub(replacement, text)
    text = _ARROW.sub(" = ", text)
    return _VERB.sub(" = ", text)


_TAIL = re.compile(
    r"(?:,\s*|\s+)(?:write\s+(?P<d>\d+)\s+(?P<kind>carry|borrow)\s+(?P<c>\d+)"
    r"|w(?P<sd>\d+)\s+(?P<sk>[cb])(?P<sc>\d+))\s*[.;]?\s*$",
    re.IGNORECASE,
)
_COLUMN = re.compile(r"\d+(?:\s*[-+*]\s*\d+)+")


@dataclass(frozen=True)
class Column:
    """One column step: its expression, written total, digit, carry/borrow out and kind."""

    expression: str
    total: int | None
    digit: int
    out: int
    borrow: bool
    tail: str

    @property
    def terms(self) -> list[str]:
        return re.findall(r"[-+*]?\s*\d+", self.expression)

    def carry_in(self) -> int | None:
        """The carry (borrow) taken in: the last addend, or the third term of a subtraction."""
        terms = [t.replace(" ", "") for t in self.terms]
        if self.borrow:
            return int(terms[2][1:]) if len(terms) >= 3 and terms[2][0] == "-" else None
        return int(terms[-1][1:]) if len(terms) >= 2 and terms[-1][0] == "+" else None


def parse_column(text: str) -> Column | None:
    """The column step in ``text``, if it ends with a digit-and-carry (borrow) tail."""
    tail = _TAIL.search(text)
    if tail is None:
        return None
    head = text[: tail.start()].rstrip(" :,")
    expression, _, rest = head.partition("=")
    expression = expression.strip()
    if _COLUMN.fullmatch(expression) is None:
        return None
    total_text = rest.rpartition("=")[2].strip()
    if rest and not total_text.isdigit():
        return None
    digit = int(tail["d"] or tail["sd"])
    out = int(tail["c"] or tail["sc"])
    borrow = (tail["kind"] or tail["sk"]).lower() in ("borrow", "b")
    total = int(total_text) if rest else None
    return Column(expression, total, digit, out, borrow, tail.group().strip(" ,.;"))


def _value(expression: str) -> int:
    """``3-8-1+10``, ``7*6+4``: sums of integer products."""
    total = 0
    for sign, product in re.findall(r"([-+]?)\s*(\d+(?:\s*\*\s*\d+)*)", expression):
        value = 1
        for factor in product.split("*"):
            value *= int(factor)
        total += -value if sign == "-" else value
    return total


def _lent(column: Column) -> bool:
    """Whether the top digit of a subtraction column was lent 10 (``13-8-1`` or ``3-8-1+10``)."""
    terms = [t.replace(" ", "") for t in column.terms]
    return int(terms[0].lstrip("+")) >= 10 or terms[-1] == "+10"


def _expected_tail(column: Column, total: int) -> tuple[int, int] | None:
    """The digit and carry (borrow) the column's total implies; None when no tail fits."""
    if column.borrow:
        return (total, 1 if _lent(column) else 0) if 0 <= total <= 9 else None
    return (total % 10, total // 10) if total >= 0 else None


_RESTATE = re.compile(r"r((?: \d+){2,})")


def _copied(column: Column, restated: list[str], k: int) -> tuple[str, str] | None:
    """The digits a sum or difference column took, and those the restatement gives column k."""
    if "*" in column.expression or any(len(n) <= k for n in restated):
        return None
    terms = [t.replace(" ", "").lstrip("+-") for t in column.terms[: len(restated)]]
    given = [n[k] for n in restated]
    return (" ".join(terms), " ".join(given)) if len(terms) == len(given) else None


def column_checks(steps: Sequence[str]) -> list[tuple[int, str, str, str, bool]]:
    """``(step index, expression, claimed, actual, ok)`` for every tail and carry chain, and
    for every digit a column copied from a ``reversed`` restatement (``r 784 653``)."""
    found: list[tuple[int, str, str, str, bool]] = []
    previous: Column | None = None
    restated: list[str] = []
    position = 0
    for index, text in enumerate(steps):
        column = parse_column(text)
        if column is None:
            previous = None
            restate = _RESTATE.fullmatch(text.strip())
            restated = restate.group(1).split() if restate else []
            position = 0
            continue
        copy = _copied(column, restated, position) if restated else None
        if copy is not None:
            found.append(
                (index, f"digits of {column.expression}", copy[0], copy[1], copy[0] == copy[1])
            )
        position += 1
        total = column.total if column.total is not None else _value(column.expression)
        fits = _expected_tail(column, total)
        word = "borrow" if column.borrow else "carry"
        actual = f"write {fits[0]} {word} {fits[1]}" if fits else f"{total} fits no column"
        ok = fits == (column.digit, column.out)
        found.append((index, column.expression, column.tail, actual, ok))
        taken = column.carry_in()
        if previous is not None and previous.borrow == column.borrow and taken is not None:
            name = f"{word} into {column.expression}"
            found.append((index, name, str(taken), str(previous.out), taken == previous.out))
        previous = column
    return found
