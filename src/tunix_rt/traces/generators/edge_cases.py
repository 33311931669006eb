"""Format edge cases: very long prompts, non-ASCII text, and answers with spaces or punctuation.

They exercise storage, rendering, tokenisation and answer matching; every step is still a
checkable ``a op b = c`` claim (multiplication and division signs included) or plain text.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from math import gcd

from tunix_rt.traces.generators.arithmetic import addition_steps
from tunix_rt.traces.generators.build import Problem, check_choice, check_range, draw
from tunix_rt.traces.schemas import TraceCreate

NAME = "edge_cases"
KINDS = ("long_prompt", "unicode", "punctuation")
FILLER = (
    "The warehouse opened early that morning.",
    "Rain had fallen through the night, and the loading bay was still wet.",
    "Nobody on the night shift had written anything unusual in the log.",
    "A delivery van waited by the gate with its engine running.",
    "The clerk counted the crates twice before signing the form.",
    "Somewhere upstairs a radio played an old song.",
    "The manager wanted the numbers on her desk before noon.",
    "Two forklifts moved pallets between the aisles.",
)
Made = tuple[str, list[str], str, str]


def _long_prompt(rng: random.Random, length: int) -> Made:
    a, b = rng.randint(100, 99_999), rng.randint(100, 99_999)
    question = f" Question: the clerk counted {a} crates and then {b} more. How many in total?"
    parts: list[str] = []
    size = 0
    while size < length - len(question):
        sentence = rng.choice(FILLER)
        parts.append(sentence)
        size += len(sentence) + 1
    return " ".join(parts) + question, addition_steps(a, b), str(a + b), "long_text"


def _unicode(rng: random.Random, _length: int) -> Made:
    a, b = rng.randint(2, 60), rng.randint(2, 60)
    variants: list[Made] = [
        (f"🍎 Léa a {a} pommes et en achète {b}. Combien de pommes a-t-elle ?",
         [f"pommes: {a}+{b}={a + b}"], str(a + b), "french"),
        (f"りんごが{a}個、みかんが{b}個あります。全部で何個ですか？",  # noqa: RUF001
         [f"合計: {a}+{b}={a + b}"], f"{a + b}個", "japanese"),
        (f"Πόσο κάνει {a} × {b};", [f"{a}×{b}={a * b}"], str(a * b), "greek"),  # noqa: RUF001
        (f"¿Cuánto es {a * b} ÷ {b}? ✨", [f"{a * b}÷{b}={a}"], str(a), "spanish"),
        (f"Die Straße ist {a} m lang. Jürgen läuft sie {b} Mal. Wie viele Meter läuft er?",
         [f"Meter: {a}*{b}={a * b}"], f"{a * b} m", "german"),
    ]  # fmt: skip
    return rng.choice(variants)


def _clock(rng: random.Random) -> Made:
    hour, minute, duration = rng.randint(1, 10), rng.randint(0, 59), rng.randint(5, 59)
    total = minute + duration
    prompt = f"A film starts at {hour}:{minute:02d} and lasts {duration} minutes. When does it end?"
    steps = [f"minutes: {minute}+{duration}={total}"]
    if total < 60:
        return prompt, steps, f"{hour}:{total:02d}", "clock"
    steps += [f"past the hour: {total}-60={total - 60}", f"hour: {hour}+1={hour + 1}"]
    return prompt, steps, f"{hour + 1}:{total - 60:02d}", "clock"


def _money(rng: random.Random) -> Made:
    qty, cents = rng.randint(2, 9), rng.randint(105, 995)
    price, total = f"{cents // 100}.{cents % 100:02d}", qty * cents
    shown = f"{total // 100}.{total % 100:02d}"
    prompt = f"A coffee costs ${price}. What do {qty} coffees cost, in dollars and cents?"
    return prompt, [f"total: {qty}*{price}={shown}"], f"${shown}", "money"


def _fraction(rng: random.Random) -> Made:
    top, bottom = rng.randint(1, 9), rng.randint(2, 12)
    while gcd(top, bottom) != 1 or top >= bottom:
        top, bottom = rng.randint(1, 9), rng.randint(2, 12)
    factor = rng.randint(2, 9)
    prompt = f"Simplify the fraction {top * factor}/{bottom * factor}."
    steps = [
        f"common factor {factor}",
        f"top: {top * factor}/{factor}={top}",
        f"bottom: {bottom * factor}/{factor}={bottom}",
    ]
    return prompt, steps, f"{top}/{bottom}", "fraction"


def _yes_no(rng: random.Random) -> Made:
    a, b, c = rng.randint(10, 99), rng.randint(10, 99), rng.randint(40, 180)
    verdict = "yes" if a + b > c else "no"
    prompt = f"Is {a} + {b} greater than {c}? Reply yes or no, then the sum."
    steps = [
        f"sum: {a}+{b}={a + b}",
        f"{a + b} is {'more' if verdict == 'yes' else 'not more'} than {c}",
    ]
    return prompt, steps, f"{verdict}, {a + b}", "yes_no"


def _punctuation(rng: random.Random, _length: int) -> Made:
    maker: Callable[[random.Random], Made] = rng.choice((_clock, _money, _fraction, _yes_no))
    return maker(rng)


MAKERS: dict[str, Callable[[random.Random, int], Made]] = {
    "long_prompt": _long_prompt,
    "unicode": _unicode,
    "punctuation": _punctuation,
}
DIFFICULTY = {"long_prompt": "medium", "unicode": "easy", "punctuation": "medium"}


def _problem(rng: random.Random, kind: str | None, length: int) -> Problem:
    chosen = kind if kind is not None else rng.choice(KINDS)
    prompt, steps, answer, variant = MAKERS[chosen](rng, length)
    return Problem(
        prompt=prompt,
        steps=[("compute" if "=" in s else "note", s) for s in steps],
        answer=answer,
        category="edge_case",
        difficulty=DIFFICULTY[chosen],
        task_type="edge_case",
        tags=["edge_case", chosen, variant],
    )


def generate(
    n: int, *, seed: int, kind: str | None = None, length: int = 3000, unique: bool = True
) -> list[TraceCreate]:
    """``n`` edge-case traces.

    Args:
        kind: ``long_prompt``, ``unicode`` or ``punctuation`` (default: mixed).
        length: characters of a long prompt (200..45000).
    """
    if kind is not None:
        check_choice("kind", kind, KINDS)
    check_range("length", length, 200, 45_000)
    return draw(
        n, seed=seed, generator=NAME, make=lambda rng: _problem(rng, kind, length), unique=unique
    )
