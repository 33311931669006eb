"""Problems with known answers, for the corpus writers: numbers, money, fractions, percents, and
word answers (a place, a yes/no or true/false, a weekday).

Every answer is computed here (or taken from the project's generators), never read back from a
judge. ``work`` is the reasoning as ``(label, a op b, result)`` triples the writers phrase.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from tunix_rt.traces.generators import arithmetic, word_problems


@dataclass(frozen=True)
class Problem:
    """A question, its answer as an eval set states it, the working, and the answer's kind."""

    question: str
    answer: str
    work: list[tuple[str, str, str]] = field(default_factory=list)
    kind: str = "number"  # number | place | boolean | weekday
    unit: str = ""
    # Wrong answers a model might give (another number, another city, the other day).
    wrong: tuple[str, ...] = ()


_STEP = re.compile(r"(?:(?P<label>[a-z ]+): )?(?P<expr>[\d+\-*/]+)=(?P<result>\d+)")
_UNITS = (
    (r"\bkm\b", "km"),
    (r"\bhours\b", "hours"),
    (r"\bdollars\b", "dollars"),
    (r"\bminutes\b", "minutes"),
)


def _unit(question: str) -> str:
    tail = question.rsplit("?", 1)[0].rsplit(".", 1)[-1]
    for pattern, unit in _UNITS:
        if re.search(pattern, tail):
            return unit
    return ""


def _wrong_numbers(answer: int, rng: random.Random) -> tuple[str, ...]:
    moves = rng.sample([-10, -3, -2, -1, 1, 2, 3, 10, 100], 3)
    return tuple(str(answer + m) for m in moves if answer + m >= 0 and m != 0)


def _work(steps: list[str]) -> list[tuple[str, str, str]]:
    work = []
    for step in steps:
        for part in step.split(", "):
            match = _STEP.fullmatch(part.strip())
            if match:
                work.append((match["label"] or "", match["expr"], match["result"]))
    return work


def numeric_problems(seed: int) -> list[Problem]:
    """Word problems and arithmetic from the project's generators (integer answers)."""
    rng = random.Random(seed)
    found = []
    for trace in word_problems.generate(70, seed=seed):
        work = _work([s.content for s in trace.steps])
        answer = int(trace.final_answer)
        found.append(
            Problem(trace.prompt, trace.final_answer, work, unit=_unit(trace.prompt),
                    wrong=_wrong_numbers(answer, rng))
        )  # fmt: skip
    for trace in arithmetic.generate(30, seed=seed + 1, operation="mul", digits=3):
        work = _work([s.content for s in trace.steps])
        answer = int(trace.final_answer)
        found.append(
            Problem(trace.prompt, trace.final_answer, work, wrong=_wrong_numbers(answer, rng))
        )
    return found


def exact_problems(seed: int) -> list[Problem]:
    """Money (cents), fractions and percents: answers that are not plain integers."""
    rng = random.Random(seed)
    found = []
    for _ in range(12):
        qty, cents = rng.randint(2, 9), rng.randint(105, 995)
        total = qty * cents
        price, shown = f"{cents // 100}.{cents % 100:02d}", f"{total // 100}.{total % 100:02d}"
        wrong = f"{(total + 100) // 100}.{(total + 100) % 100:02d}"
        found.append(
            Problem(f"A coffee costs ${price}. What do {qty} coffees cost, in dollars?", shown,
                    [("total", f"{qty}*{price}", shown)], unit="dollars", wrong=(wrong,))
        )  # fmt: skip
    for _ in range(12):
        top, bottom, factor = rng.randint(1, 4), rng.choice([5, 7, 9]), rng.randint(2, 6)
        answer = f"{top}/{bottom}"
        found.append(
            Problem(f"Simplify {top * factor}/{bottom * factor}.", answer,
                    [("top", f"{top * factor}/{factor}", str(top)),
                     ("bottom", f"{bottom * factor}/{factor}", str(bottom))],
                    wrong=(f"{top + 1}/{bottom}",))
        )  # fmt: skip
    for _ in range(12):
        part, whole = rng.choice([(10, 40), (3, 12), (9, 36), (6, 24), (12, 48), (7, 28)])
        percent = part * 100 // whole
        found.append(
            Problem(f"{part} of {whole} pupils walk to school. What percent walk?", f"{percent}%",
                    [("share", f"{part}*100/{whole}", str(percent))], wrong=(f"{percent + 5}%",))
        )  # fmt: skip
    return found


_CAPITALS = (
    ("France", "Paris", "Lyon"),
    ("Japan", "Tokyo", "Osaka"),
    ("Italy", "Rome", "Milan"),
    ("Spain", "Madrid", "Barcelona"),
    ("Germany", "Berlin", "Munich"),
    ("Egypt", "Cairo", "Alexandria"),
    ("Canada", "Ottawa", "Toronto"),
    ("Kenya", "Nairobi", "Mombasa"),
    ("Peru", "Lima", "Cusco"),
    ("Norway", "Oslo", "Bergen"),
    ("Australia", "Canberra", "Sydney"),
    ("Turkey", "Ankara", "Istanbul"),
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _is_prime(n: int) -> bool:
    return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))


def word_problems_with_word_answers(seed: int) -> list[Problem]:
    """Capitals, yes/no primality, true/false comparisons, weekdays after a number of days."""
    rng = random.Random(seed)
    found = [
        Problem(f"What is the capital of {country}?", city, [], "place", wrong=(other,))
        for country, city, other in _CAPITALS
    ]
    for n in rng.sample(range(11, 99), 14):
        answer = "yes" if _is_prime(n) else "no"
        divisor = next((d for d in range(2, n) if n % d == 0), None)
        work = [] if divisor is None else [("divisor", f"{n}/{divisor}", str(n // divisor))]
        found.append(Problem(f"Is {n} a prime number?", answer, work, "boolean",
                             wrong=("no" if answer == "yes" else "yes",)))  # fmt: skip
    for _ in range(12):
        a, b, c = rng.randint(10, 60), rng.randint(10, 60), rng.randint(30, 110)
        answer = "true" if a + b > c else "false"
        found.append(Problem(f"True or false: {a} + {b} is greater than {c}.", answer,
                             [("sum", f"{a}+{b}", str(a + b))], "boolean",
                             wrong=("false" if answer == "true" else "true",)))  # fmt: skip
    for _ in range(14):
        start, days = rng.randrange(7), rng.randint(3, 40)
        end = DAYS[(start + days) % 7]
        found.append(
            Problem(f"Today is {DAYS[start]}. What day of the week is it in {days} days?", end,
                    [("remainder", f"{days}-{days // 7 * 7}", str(days % 7))], "weekday",
                    wrong=(DAYS[(start + days + 1) % 7],))
        )  # fmt: skip
    return found


def all_problems(seed: int = 20261203) -> list[Problem]:
    """Every problem the corpus is written from."""
    return [
        *numeric_problems(seed),
        *exact_problems(seed + 1),
        *word_problems_with_word_answers(seed + 2),
    ]
