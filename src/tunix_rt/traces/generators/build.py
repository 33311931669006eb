"""Assembling generated traces: uniform ``meta`` and seeded, optionally unique, drawing."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tunix_rt.errors import InvalidInput
from tunix_rt.traces.schemas import TraceCreate, TraceStep

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Problem:
    """One generated problem before it becomes a trace: steps are ``(type, content)`` pairs."""

    prompt: str
    steps: Sequence[tuple[str, str]]
    answer: str
    category: str
    difficulty: str
    task_type: str
    tags: Sequence[str] = field(default_factory=tuple)


def to_trace(problem: Problem, *, generator: str, seed: int, index: int) -> TraceCreate:
    """The ``TraceCreate`` for a problem, with the conventional generator ``meta``."""
    tags = [problem.category, *(t for t in problem.tags if t != problem.category)]
    return TraceCreate(
        prompt=problem.prompt,
        steps=[
            TraceStep(i=i, type=kind, content=text) for i, (kind, text) in enumerate(problem.steps)
        ],
        final_answer=problem.answer,
        meta={
            "source": "generator",
            "generator": generator,
            "seed": seed,
            "index": index,
            "category": problem.category,
            "difficulty": problem.difficulty,
            "task_type": problem.task_type,
            "tags": tags,
        },
    )


def draw(
    n: int,
    *,
    seed: int,
    generator: str,
    make: Callable[[random.Random], Problem],
    unique: bool,
) -> list[TraceCreate]:
    """``n`` traces from ``make``, one RNG seeded by ``seed``; distinct prompts if ``unique``."""
    if n < 0:
        raise InvalidInput(f"n must be >= 0, got {n}")
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[TraceCreate] = []
    # Generous, but bounded: a knob setting with fewer distinct problems than n must fail loudly.
    attempts_left = 50 * n + 1000
    while len(out) < n:
        if attempts_left == 0:
            raise InvalidInput(
                f"{generator}: only {len(out)} distinct problems found for n={n}; "
                "lower n, widen the knobs or pass unique=false"
            )
        attempts_left -= 1
        problem = make(rng)
        if unique and problem.prompt in seen:
            continue
        seen.add(problem.prompt)
        out.append(to_trace(problem, generator=generator, seed=seed, index=len(out)))
    return out


def check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    """Refuse a knob value outside ``allowed``, naming the knob."""
    if value not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise InvalidInput(f"{name} must be one of {shown}, got {value!r}")


def check_range(name: str, value: int, low: int, high: int) -> None:
    """Refuse an integer knob outside ``[low, high]``, naming the knob."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be an integer in {low}..{high}, got {value!r}")
