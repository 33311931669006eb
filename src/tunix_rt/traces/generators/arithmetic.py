"""Arithmetic traces worked the way a pupil writes them on paper.

Addition and subtraction go column by column, right to left, with the carry or borrow shown in
every step (also when it is 0, so every step has the same shape for a small model):
``7+6+1=14, write 4 carry 1`` and ``13-8-1=4, write 4 borrow 1`` (the borrowed 10 is written into
the top digit). Multiplication uses partial products, one per digit of the second operand, then
their sum: ``47*3=141``, ``47*20=940``, ``141+940=1081`` (``detail="columns"`` also works each
partial product and the sum column by column: ``4*3+2=14, write 4 carry 1``).

The ``short`` notation writes the same steps in fewer characters (``7+6+1=14 w4 c1``,
``13-8-1=4 w4 b1``) for small character-level models, whose throughput is bounded by length.
The ``reversed`` notation is ``short`` plus one first ``restate`` step that writes both operands
zero-padded to one width and reversed (``487 + 56`` -> ``r 784 650``), so the digits of column
k sit at a fixed offset: for a tiny model, finding the k-th digit from the right of a
variable-length number is the slowest thing to learn (docs/results.md measures the effect).
Two more changes serve the same reader: a borrowing subtraction column adds the borrowed 10
after the digits it depends on (``3-8-1+10=4 w4 b1``, not ``13-8-1=4``: the step's first
token no longer has to decide the borrow), a multiplication's column-wise sum of partial
products starts by restating the partial products reversed (``r 1410 0490``), and a column
of a partial product writes the one-digit product before it adds the carry
(``7*6+4=42+4=46 w6 c4``: two facts a tiny model learns apart, instead of one three-digit
lookup).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import zip_longest

from tunix_rt.traces.generators.build import Problem, check_choice, check_range, draw
from tunix_rt.traces.schemas import TraceCreate

NAME = "arithmetic"
OPERATIONS = ("add", "sub", "mul", "mixed")
CATEGORY = {"add": "addition", "sub": "subtraction", "mul": "multiplication"}
SYMBOL = {"add": "+", "sub": "-", "mul": "*"}
DETAILS = ("partial", "columns")
# What follows a column's claim: the digit written and the carry (or borrow) passed on.
NOTATIONS = {
    "words": (", write {d} carry {c}", ", write {d} borrow {c}"),
    "short": (" w{d} c{c}", " w{d} b{c}"),
    "reversed": (" w{d} c{c}", " w{d} b{c}"),
}


def restate_reversed(*numbers: int) -> str:
    """``r`` and the numbers zero-padded to one width, least significant digit first."""
    width = max(len(str(n)) for n in numbers)
    return "r " + " ".join(str(n).zfill(width)[::-1] for n in numbers)


def _digits(value: int) -> list[int]:
    """Decimal digits, least significant first."""
    return [int(c) for c in reversed(str(value))]


def column_sum_steps(numbers: Sequence[int], notation: str = "words") -> list[str]:
    """One step per column of a sum, right to left, carry in and out always shown."""
    tail = NOTATIONS[notation][0]
    steps: list[str] = []
    carry = 0
    for column in zip_longest(*(_digits(n) for n in numbers), fillvalue=0):
        total = sum(column) + carry
        claim = "+".join(map(str, column)) + f"+{carry}={total}"
        steps.append(claim + tail.format(d=total % 10, c=total // 10))
        carry = total // 10
    return steps


def addition_steps(a: int, b: int, notation: str = "words") -> list[str]:
    """The columns of ``a + b``: ``7+6+1=14, write 4 carry 1``."""
    return column_sum_steps([a, b], notation)


def subtraction_steps(a: int, b: int, notation: str = "words") -> list[str]:
    """One step per column of ``a - b`` (``a >= b``), borrow in and out always shown."""
    if a < b:
        raise ValueError("subtraction_steps needs a >= b")
    tail = NOTATIONS[notation][1]
    steps: list[str] = []
    borrow = 0
    for x, y in zip_longest(_digits(a), _digits(b), fillvalue=0):
        out = 1 if x - borrow < y else 0
        d = x + 10 * out - y - borrow
        if notation == "reversed":  # the borrowed 10 comes after the digits that decide it
            claim = f"{x}-{y}-{borrow}" + ("+10" if out else "")
        else:
            claim = f"{x + 10 * out}-{y}-{borrow}"
        steps.append(f"{claim}={d}" + tail.format(d=d, c=out))
        borrow = out
    return steps


def digit_product_steps(a: int, digit: int, notation: str = "words") -> list[str]:
    """The columns of ``a * digit``, right to left: ``4*3+2=14, write 4 carry 1``.

    In the ``reversed`` notation the product comes before the carry: ``4*3+2=12+2=14 w4 c1``.
    """
    tail = NOTATIONS[notation][0]
    steps: list[str] = []
    carry = 0
    for x in _digits(a):
        total = x * digit + carry
        # ``reversed`` writes the one-digit product before adding the carry: 7*6+4=42+4=46.
        split = f"={x * digit}+{carry}" if notation == "reversed" else ""
        claim = f"{x}*{digit}+{carry}{split}={total}"
        steps.append(claim + tail.format(d=total % 10, c=total // 10))
        carry = total // 10
    return steps


def multiplication_steps(
    a: int, b: int, detail: str = "partial", notation: str = "words"
) -> list[str]:
    """Partial products of ``a`` by each digit of ``b`` (with its place value), then their sum.

    With ``detail="columns"`` each partial product and the final sum are also worked column by
    column, so no step needs more than one-digit arithmetic.
    """
    steps: list[str] = []
    products: list[int] = []
    for place, digit in enumerate(_digits(b)):
        if detail == "columns":
            steps += digit_product_steps(a, digit, notation)
        products.append(a * digit * 10**place)
        steps.append(f"{a}*{digit * 10**place}={products[-1]}")
    if len(products) > 1:
        if detail == "columns":
            if notation == "reversed":
                steps.append(restate_reversed(*products))
            steps += column_sum_steps(products, notation)
        else:
            steps.append("+".join(map(str, products)) + f"={a * b}")
    return steps


def _difficulty(op: str, a: int, b: int) -> str:
    if op == "mul":
        size = len(str(a)) + len(str(b))
        return "easy" if size <= 3 else "medium" if size == 4 else "hard"
    longest = max(len(str(a)), len(str(b)))
    return "easy" if longest <= 2 else "medium" if longest == 3 else "hard"


def arithmetic_problem(
    op: str, a: int, b: int, notation: str = "words", detail: str = "partial"
) -> Problem:
    """The worked problem ``a op b``; for ``sub`` the larger operand goes first."""
    check_choice("operation", op, ("add", "sub", "mul"))
    check_choice("notation", notation, tuple(NOTATIONS))
    check_choice("detail", detail, DETAILS)
    if op == "sub" and a < b:
        a, b = b, a
    # Every column step ends with the carry (borrow) it passes on: 0 or 1.
    if op == "add":
        steps, answer = addition_steps(a, b, notation), a + b
        tags = ["carries"] if any(s.endswith("1") for s in steps) else []
    elif op == "sub":
        steps, answer = subtraction_steps(a, b, notation), a - b
        tags = ["borrows"] if any(s.endswith("1") for s in steps) else []
    else:
        steps, answer = multiplication_steps(a, b, detail, notation), a * b
        tags = ["partial-products", *(["columns"] if detail == "columns" else [])]
    restated = [("restate", restate_reversed(a, b))] if notation == "reversed" else []
    return Problem(
        prompt=f"What is {a} {SYMBOL[op]} {b}?",
        steps=[*restated, *(("restate" if s.startswith("r ") else "compute", s) for s in steps)],
        answer=str(answer),
        category=CATEGORY[op],
        difficulty=_difficulty(op, a, b),
        task_type="arithmetic",
        tags=["arithmetic", f"digits-{max(len(str(a)), len(str(b)))}", *tags],
    )


def operand(rng: random.Random, low_digits: int, high_digits: int) -> int:
    """A number with ``low_digits..high_digits`` digits (the length drawn uniformly first)."""
    length = rng.randint(low_digits, high_digits)
    return rng.randint(0 if length == 1 else 10 ** (length - 1), 10**length - 1)


def generate(
    n: int,
    *,
    seed: int,
    operation: str = "mixed",
    digits: int = 3,
    min_digits: int | None = None,
    digits_b: int | None = None,
    notation: str = "words",
    detail: str = "partial",
    unique: bool = True,
) -> list[TraceCreate]:
    """``n`` worked arithmetic problems.

    Args:
        operation: ``add``, ``sub``, ``mul`` or ``mixed`` (one of the three per problem).
        digits: most digits of an operand (1..5); each operand's length is drawn from
            ``min_digits..digits`` (``min_digits`` defaults to ``digits``: exactly that many).
        digits_b: digits of the multiplier for ``mul`` (1..5, default ``min(digits, 2)``).
        notation: ``words`` (``, write 4 carry 1``) or ``short`` (`` w4 c1``) column steps, or
            ``reversed`` (``short`` after a step restating the operands reversed).
        detail: ``partial`` (``47*3=141``) or ``columns`` (each partial product and the sum
            worked digit by digit too) for multiplication.
    """
    check_choice("operation", operation, OPERATIONS)
    check_range("digits", digits, 1, 5)
    low = digits if min_digits is None else min_digits
    check_range("min_digits", low, 1, digits)
    mul_b = min(digits, 2) if digits_b is None else digits_b
    check_range("digits_b", mul_b, 1, 5)
    check_choice("notation", notation, tuple(NOTATIONS))

    def make(rng: random.Random) -> Problem:
        op = rng.choice(("add", "sub", "mul")) if operation == "mixed" else operation
        a = operand(rng, low, digits)
        b = operand(rng, min(low, mul_b), mul_b) if op == "mul" else operand(rng, low, digits)
        return arithmetic_problem(op, a, b, notation, detail)

    return draw(n, seed=seed, generator=NAME, make=make, unique=unique)
