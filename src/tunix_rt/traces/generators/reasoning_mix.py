"""The demo's training mix: addition and subtraction up to 5 digits, multiplication by partial
products, and 2- and 3-step word problems, drawn per problem with fixed weights.

Each trace keeps its own category (``addition``, ``subtraction``, ``multiplication``,
``word_problem``) so accuracy can be reported per category.
"""

from __future__ import annotations

import random

from tunix_rt.traces.generators.arithmetic import DETAILS, NOTATIONS, arithmetic_problem, operand
from tunix_rt.traces.generators.build import DIFFICULTIES, Problem, check_choice, check_range, draw
from tunix_rt.traces.generators.word_problems import word_problem
from tunix_rt.traces.schemas import TraceCreate

NAME = "reasoning_mix"
# Percent of problems per kind (add, sub, mul, word); addition and subtraction span more lengths.
# ``word_share`` moves the word problems' percent; the rest keep their 30:30:20 proportions.
WEIGHTS = {"add": 30, "sub": 30, "mul": 20, "word": 20}


def kind_of(roll: float, word_share: int) -> str:
    """The kind of problem for ``roll`` in [0, 100)."""
    if roll >= 100 - word_share:
        return "word"
    scaled = roll * 80 / (100 - word_share)  # onto the 80 points of add, sub and mul
    if scaled < WEIGHTS["add"]:
        return "add"
    return "sub" if scaled < WEIGHTS["add"] + WEIGHTS["sub"] else "mul"


def _make(
    rng: random.Random,
    digits: int,
    mul_digits: int,
    word_difficulty: str | None,
    notation: str,
    detail: str,
    word_columns: bool,
    word_share: int,
) -> Problem:
    kind = kind_of(rng.randrange(100), word_share)
    if kind in ("add", "sub"):
        return arithmetic_problem(kind, operand(rng, 1, digits), operand(rng, 1, digits), notation)
    if kind == "mul":
        a, b = operand(rng, mul_digits, mul_digits), operand(rng, mul_digits, mul_digits)
        return arithmetic_problem("mul", a, b, notation, detail)
    return word_problem(rng, None, None, word_difficulty, columns=word_columns)


def generate(
    n: int,
    *,
    seed: int,
    digits: int = 5,
    mul_digits: int = 2,
    word_difficulty: str | None = None,
    notation: str = "words",
    detail: str = "partial",
    word_columns: bool = False,
    word_share: int = WEIGHTS["word"],
    unique: bool = True,
) -> list[TraceCreate]:
    """``n`` problems of the mix.

    Args:
        digits: most digits of an addition/subtraction operand (1..5; lengths drawn 1..digits).
        mul_digits: digits of both multiplication operands (1..3).
        word_difficulty: ``easy`` | ``medium`` | ``hard`` for the word problems (default mixed).
        notation: ``words``, ``short`` or ``reversed`` column steps (see ``arithmetic``).
        word_columns: work the word problems' multi-digit steps by column first (in the
            ``reversed`` notation; see ``word_problems.column_work``).
        detail: ``partial`` or ``columns`` multiplication steps (see ``arithmetic``).
        word_share: percent of word problems (0..100, default 20); addition, subtraction and
            multiplication share the rest 30:30:20.
    """
    check_range("digits", digits, 1, 5)
    check_range("word_share", word_share, 0, 100)
    check_range("mul_digits", mul_digits, 1, 3)
    if word_difficulty is not None:
        check_choice("word_difficulty", word_difficulty, DIFFICULTIES)
    check_choice("notation", notation, tuple(NOTATIONS))
    check_choice("detail", detail, DETAILS)
    return draw(
        n,
        seed=seed,
        generator=NAME,
        make=lambda rng: _make(
            rng, digits, mul_digits, word_difficulty, notation, detail, word_columns, word_share
        ),
        unique=unique,
    )
