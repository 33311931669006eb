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
WEIGHTS = {"add": 30, "sub": 30, "mul": 20, "word": 20}


def _make(
    rng: random.Random,
    digits: int,
    mul_digits: int,
    word_difficulty: str | None,
    notation: str,
    detail: str,
    word_columns: bool,
) -> Problem:
    roll = rng.randrange(100)
    if roll < WEIGHTS["add"] + WEIGHTS["sub"]:
        op = "add" if roll < WEIGHTS["add"] else "sub"
        return arithmetic_problem(op, operand(rng, 1, digits), operand(rng, 1, digits), notation)
    if roll < 100 - WEIGHTS["word"]:
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
    """
    check_range("digits", digits, 1, 5)
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
            rng, digits, mul_digits, word_difficulty, notation, detail, word_columns
        ),
        unique=unique,
    )
