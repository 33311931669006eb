"""Deterministic trace generators: ``generate(n, *, seed, **knobs) -> list[TraceCreate]``.

``GENERATORS`` names each one with its knobs, so the CLI and the API can validate knob names and
coerce their values (``--knob digits=4``) before any generation runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tunix_rt.errors import InvalidInput
from tunix_rt.traces.generators import (
    arithmetic,
    edge_cases,
    high_card_duel,
    reasoning_mix,
    word_problems,
)
from tunix_rt.traces.schemas import TraceCreate

KnobValue = int | str | bool | None


@dataclass(frozen=True)
class GeneratorSpec:
    """A generator and the type of each of its knobs (``int``, ``str`` or ``bool``)."""

    name: str
    generate: Callable[..., list[TraceCreate]]
    knobs: Mapping[str, type]
    description: str


GENERATORS: dict[str, GeneratorSpec] = {
    spec.name: spec
    for spec in (
        GeneratorSpec(
            arithmetic.NAME,
            arithmetic.generate,
            {
                "operation": str,
                "digits": int,
                "min_digits": int,
                "digits_b": int,
                "notation": str,
                "detail": str,
                "unique": bool,
            },
            "addition (carries), subtraction (borrows), multiplication (partial products)",
        ),
        GeneratorSpec(
            word_problems.NAME,
            word_problems.generate,
            {"steps": int, "kind": str, "difficulty": str, "unique": bool},
            "2- and 3-step word problems: distance/time/speed, price and change, percent off",
        ),
        GeneratorSpec(
            high_card_duel.NAME,
            high_card_duel.generate,
            {"hand_size": int, "unique": bool},
            "High Card Duel (UNGAR): cards dealt from a shuffled deck, ranks compared",
        ),
        GeneratorSpec(
            edge_cases.NAME,
            edge_cases.generate,
            {"kind": str, "length": int, "unique": bool},
            "long prompts, unicode, answers with spaces or punctuation",
        ),
        GeneratorSpec(
            reasoning_mix.NAME,
            reasoning_mix.generate,
            {
                "digits": int,
                "mul_digits": int,
                "word_difficulty": str,
                "notation": str,
                "detail": str,
                "word_columns": bool,
                "word_share": int,
                "unique": bool,
            },
            "the demo mix: 30% addition, 30% subtraction, 20% multiplication, 20% word problems",
        ),
    )
}


def _coerce(name: str, value: KnobValue, kind: type) -> KnobValue:
    if value is None or not isinstance(value, str) or kind is str:
        return value
    if kind is bool:
        if value.lower() in {"true", "1", "yes"}:
            return True
        if value.lower() in {"false", "0", "no"}:
            return False
        raise InvalidInput(f"knob {name} must be true or false, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"knob {name} must be an integer, got {value!r}") from None


def run_generator(
    name: str, n: int, *, seed: int, knobs: Mapping[str, KnobValue] | None = None
) -> list[TraceCreate]:
    """Run the named generator; an unknown generator or knob is ``InvalidInput`` naming it."""
    spec = GENERATORS.get(name)
    if spec is None:
        raise InvalidInput(f"unknown generator {name!r}; known: {', '.join(sorted(GENERATORS))}")
    values: dict[str, KnobValue] = {}
    for key, value in (knobs or {}).items():
        if key not in spec.knobs:
            known = ", ".join(spec.knobs)
            raise InvalidInput(f"unknown knob {key!r} for {name}; known: {known}")
        values[key] = _coerce(key, value, spec.knobs[key])
    return spec.generate(n, seed=seed, **values)


__all__ = ["GENERATORS", "GeneratorSpec", "run_generator"]
