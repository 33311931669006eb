"""Multi-step word problems (distance/speed/time, price and change, percent discounts, rates).

Every step is ``label: a op b = c`` with no spaces around the operators, and every number is an
integer by construction (divisions and percentages are chosen to come out exact), so the final
answer is plain digits.

With ``columns=True`` the first step restates the prompt's numbers in order (``n 7 35 20``),
so later steps copy them from one short line, and every addition, subtraction or
multiplication with a multi-digit operand is first worked column by column in the arithmetic
generator's ``reversed`` notation (the operands restated reversed, then one-digit steps; the
longer factor on top, trailing zeros appended after the product), with the
labelled step after it as the summary: a small model then never does multi-digit arithmetic
in one step. Divisions stay whole.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from math import gcd

from tunix_rt.traces.generators.arithmetic import (
    addition_steps,
    multiplication_steps,
    restate_reversed,
    subtraction_steps,
)
from tunix_rt.traces.generators.build import DIFFICULTIES, Problem, check_choice, draw
from tunix_rt.traces.schemas import TraceCreate

NAME = "word_problems"
PEOPLE = ("Ana", "Ben", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
GOODS = (
    ("pen", "pens"),
    ("book", "books"),
    ("apple", "apples"),
    ("ticket", "tickets"),
    ("cup", "cups"),
    ("shirt", "shirts"),
    ("lamp", "lamps"),
    ("ball", "balls"),
)
PERCENTS = (10, 20, 25, 50)
# Largest base number (a price, a weekly amount, a third of a speed) per difficulty.
SCALE = {"easy": 9, "medium": 19, "hard": 49}

Template = Callable[[random.Random, int], tuple[str, list[str], int]]


def _speed_then_distance(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    name, speed, hours = rng.choice(PEOPLE), rng.randint(3, 3 * top), rng.randint(2, 6)
    more = rng.randint(2, 9)
    km = speed * hours
    prompt = (
        f"{name} rides {km} km in {hours} hours. At the same speed, how many km does "
        f"{name} ride in {more} hours?"
    )
    return (
        prompt,
        [f"speed: {km}/{hours}={speed}", f"distance: {speed}*{more}={speed * more}"],
        speed * more,
    )


def _trip_time(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    speed = rng.choice((20, 30, 40, 50, 60, 80)) if top < 20 else rng.randint(12, 90)
    hours = rng.randint(2, 4 + top // 5)
    first = speed * rng.randint(1, hours - 1)
    second = speed * hours - first
    prompt = (
        f"A train travels {first} km and then {second} km more at {speed} km/h. "
        "How many hours does the trip take?"
    )
    total = first + second
    return prompt, [f"distance: {first}+{second}={total}", f"time: {total}/{speed}={hours}"], hours


def _change(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    name, (_, many) = rng.choice(PEOPLE), rng.choice(GOODS)
    qty, price = rng.randint(2, 9), rng.randint(2, top)
    cost = qty * price
    paid = next(p for p in (10, 20, 50, 100, 200, 500) if p > cost)
    prompt = (
        f"{name} buys {qty} {many} at {price} dollars each and pays with {paid} dollars. "
        "How many dollars of change does "
        f"{name} get?"
    )
    return (
        prompt,
        [f"cost: {qty}*{price}={cost}", f"change: {paid}-{cost}={paid - cost}"],
        paid - cost,
    )


def _percent(amount: int, pct: int) -> str:
    # Two claims, not ``a*p/100=r``: a tiny model cannot do the product and the division at once.
    return f"discount: {amount}*{pct}={amount * pct}, {amount * pct}/100={amount * pct // 100}"


def _discount(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    pct = rng.choice(PERCENTS)
    price = rng.randint(1, top) * (100 // gcd(pct, 100))
    off = price * pct // 100
    item, _ = rng.choice(GOODS)
    prompt = f"A {item} costs {price} dollars and is {pct}% off. What is the sale price in dollars?"
    return (
        prompt,
        [_percent(price, pct), f"price: {price}-{off}={price - off}"],
        price - off,
    )


def _two_legs(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    s1, s2 = rng.randint(3, 3 * top), rng.randint(3, 3 * top)
    t1, t2 = rng.randint(2, 6), rng.randint(2, 6)
    d1, d2 = s1 * t1, s2 * t2
    prompt = (
        f"A car drives at {s1} km/h for {t1} hours and then at {s2} km/h for {t2} hours. "
        "How many km does it drive in total?"
    )
    steps = [f"first: {s1}*{t1}={d1}", f"second: {s2}*{t2}={d2}", f"total: {d1}+{d2}={d1 + d2}"]
    return prompt, steps, d1 + d2


def _change_two_items(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    name = rng.choice(PEOPLE)
    (_, many1), (_, many2) = rng.sample(GOODS, 2)
    q1, p1, q2, p2 = rng.randint(2, 9), rng.randint(2, top), rng.randint(2, 9), rng.randint(2, top)
    c1, c2 = q1 * p1, q2 * p2
    paid = next(p for p in (20, 50, 100, 200, 500, 1000) if p > c1 + c2)
    prompt = (
        f"{name} buys {q1} {many1} at {p1} dollars each and {q2} {many2} at {p2} dollars each, "
        f"and pays with {paid} dollars. How many dollars of change does {name} get?"
    )
    left = paid - c1 - c2
    steps = [
        f"{many1}: {q1}*{p1}={c1}",
        f"{many2}: {q2}*{p2}={c2}",
        f"change: {paid}-{c1}-{c2}={left}",
    ]
    return prompt, steps, left


def _bulk_discount(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    pct = rng.choice(PERCENTS)
    step = 100 // gcd(pct, 100)
    qty = rng.randint(2, 9)
    price = rng.randint(1, top) * step // gcd(qty, step)
    total = qty * price
    off = total * pct // 100
    _, many = rng.choice(GOODS)
    prompt = (
        f"{qty} {many} cost {price} dollars each, and the total gets a {pct}% discount. "
        "How many dollars are paid?"
    )
    steps = [f"total: {qty}*{price}={total}", _percent(total, pct)]
    return prompt, [*steps, f"pay: {total}-{off}={total - off}"], total - off


def _savings(rng: random.Random, top: int) -> tuple[str, list[str], int]:
    name = rng.choice(PEOPLE)
    weekly, weeks = rng.randint(2, top), rng.randint(3, 9)
    saved = weekly * weeks
    spent, (_, many) = rng.randint(1, saved - 1), rng.choice(GOODS)
    gift = rng.randint(1, 5 * top)
    prompt = (
        f"{name} saves {weekly} dollars a week for {weeks} weeks, gets {gift} dollars as a gift, "
        f"and spends {spent} dollars on {many}. How many dollars are left?"
    )
    left = saved + gift - spent
    steps = [f"saved: {weekly}*{weeks}={saved}", f"with gift: {saved}+{gift}={saved + gift}"]
    return prompt, [*steps, f"left: {saved + gift}-{spent}={left}"], left


TEMPLATES: dict[int, dict[str, Template]] = {
    2: {
        "speed": _speed_then_distance,
        "trip_time": _trip_time,
        "change": _change,
        "discount": _discount,
    },
    3: {
        "two_legs": _two_legs,
        "change_two_items": _change_two_items,
        "bulk_discount": _bulk_discount,
        "savings": _savings,
    },
}
KINDS = tuple(k for by_kind in TEMPLATES.values() for k in by_kind)


_CLAIM = re.compile(r"(\d+(?:[-+*/]\d+)+)=\d+")
_TERM = re.compile(r"[-+*/]?\d+")


def _binary_work(a: int, op: str, b: int, *, last: bool) -> list[tuple[str, str]]:
    """Column steps of one ``a op b`` with a multi-digit operand (none for one-digit ones).

    ``last``: the labelled step follows at once, so a one-digit product's own summary line
    (``35*7=245``) would only repeat it and is left out.
    """
    if max(a, b) < 10:
        return []
    if op == "+":
        worked = [restate_reversed(a, b), *addition_steps(a, b, "reversed")]
    elif op == "-":
        worked = [restate_reversed(a, b), *subtraction_steps(a, b, "reversed")]
    else:  # the longer factor on top: 35*7 is one partial product, 7*35 two and a sum
        # Trailing zeros are appended after the product: 245*20 is 245*2, 30*4 a table fact.
        x, y = (int(str(n).rstrip("0")) for n in (a, b))
        top, low = max(x, y), min(x, y)
        if top < 10 or low == 1:
            return []
        worked = [
            restate_reversed(top, low),
            *multiplication_steps(top, low, "columns", "reversed"),
        ]
        if last and low < 10 and {x, y} == {a, b}:
            worked.pop()
    return [("restate" if t.startswith("r ") else "compute", t) for t in worked]


def column_work(step: str) -> list[tuple[str, str]]:
    """The reversed-notation column steps that work out ``step``, then ``step`` itself.

    Each claim of the step (``a op b op c = r``, left to right) is worked one operation at a
    time; an operation whose result feeds the next gets its own claim (``100-35=65``).
    Divisions stay whole.
    """
    worked: list[tuple[str, str]] = []
    for match in _CLAIM.finditer(step):
        terms = _TERM.findall(match[1])
        value = int(terms[0])
        for i, term in enumerate(terms[1:], start=1):
            op, b = term[0], int(term[1:])
            if op == "/":
                value //= b
                continue
            result = value + b if op == "+" else value - b if op == "-" else value * b
            worked += _binary_work(value, op, b, last=i == len(terms) - 1)
            if i < len(terms) - 1 and worked:
                worked.append(("compute", f"{value}{op}{b}={result}"))
            value = result
    return [*worked, ("compute", step)]


def number_restatement(prompt: str) -> str:
    """``n`` and the prompt's numbers in order: later steps copy from this short line."""
    return "n " + " ".join(re.findall(r"\d+", prompt))


def word_problem(
    rng: random.Random,
    steps: int | None,
    kind: str | None,
    level: str | None,
    *,
    columns: bool = False,
) -> Problem:
    """One drawn word problem (``None`` picks at random); ``columns`` works steps by column."""
    if kind is not None:
        n_steps = next(s for s, by_kind in TEMPLATES.items() if kind in by_kind)
    else:
        n_steps = steps if steps is not None else rng.choice((2, 3))
        kind = rng.choice(sorted(TEMPLATES[n_steps]))
    difficulty = level if level is not None else rng.choice(DIFFICULTIES)
    prompt, texts, answer = TEMPLATES[n_steps][kind](rng, SCALE[difficulty])
    worked = (
        [("restate", number_restatement(prompt)), *(s for t in texts for s in column_work(t))]
        if columns
        else [("compute", t) for t in texts]
    )
    return Problem(
        prompt=prompt,
        steps=worked,
        answer=str(answer),
        category="word_problem",
        difficulty=difficulty,
        task_type="word_problem",
        tags=["word_problem", kind, f"steps-{n_steps}"],
    )


def generate(
    n: int,
    *,
    seed: int,
    steps: int | None = None,
    kind: str | None = None,
    difficulty: str | None = None,
    unique: bool = True,
) -> list[TraceCreate]:
    """``n`` word problems with integer answers.

    Args:
        steps: 2 or 3 steps (default: either); ignored when ``kind`` is given.
        kind: one template (``speed``, ``trip_time``, ``change``, ``discount``, ``two_legs``,
            ``change_two_items``, ``bulk_discount``, ``savings``).
        difficulty: ``easy`` | ``medium`` | ``hard``: how large the numbers get (default: mixed).
    """
    if steps is not None:
        check_choice("steps", steps, (2, 3))
    if kind is not None:
        check_choice("kind", kind, KINDS)
    if difficulty is not None:
        check_choice("difficulty", difficulty, DIFFICULTIES)
    return draw(
        n,
        seed=seed,
        generator=NAME,
        make=lambda rng: word_problem(rng, steps, kind, difficulty),
        unique=unique,
    )
