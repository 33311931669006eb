"""Named seed collections and the ``eval-v2`` eval set, reproducible byte for byte.

Each collection is a fixed recipe of generator calls (generator, count, seed, knobs). Every trace
carries ``meta.dataset`` and a tag with the collection's name, so a dataset build can select a
collection by tag, and the same problem in two collections is two distinct traces. The eval
items never share a prompt with any collection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from tunix_rt.traces.generators import KnobValue, run_generator
from tunix_rt.traces.generators.arithmetic import arithmetic_problem
from tunix_rt.traces.generators.build import to_trace
from tunix_rt.traces.generators.high_card_duel import Card, duel_problem
from tunix_rt.traces.schemas import TraceCreate

EVAL_V2 = "eval-v2"
SECTIONS = {"core": 60, "trace_sensitive": 25, "edge_case": 15}


@dataclass(frozen=True)
class Part:
    """``n`` traces from one generator call; ``keep`` filters which drawn traces qualify."""

    generator: str
    n: int
    seed: int
    knobs: dict[str, KnobValue] = field(default_factory=dict)
    keep: Callable[[TraceCreate], bool] | None = None


def digest(docs: Sequence[TraceCreate] | Sequence[dict[str, str]]) -> str:
    """sha256 of the canonical JSONL (sorted keys) of traces or eval items."""
    plain = (d.model_dump(mode="json") if isinstance(d, TraceCreate) else d for d in docs)
    lines = (orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) for doc in plain)
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def _take(part: Part, exclude: set[str]) -> list[TraceCreate]:
    """The first ``part.n`` drawn traces whose prompts are not excluded (and that ``keep``)."""
    pool = run_generator(part.generator, 3 * part.n + 20, seed=part.seed, knobs=part.knobs)
    chosen = [t for t in pool if t.prompt not in exclude and (part.keep is None or part.keep(t))][
        : part.n
    ]
    if len(chosen) < part.n:
        raise RuntimeError(f"seed part {part} yielded only {len(chosen)} traces")
    exclude.update(t.prompt for t in chosen)
    return chosen


def _label(traces: Iterable[TraceCreate], name: str) -> list[TraceCreate]:
    """Stamp the collection's name into ``meta.dataset`` and ``meta.tags``."""
    out = []
    for trace in traces:
        meta: dict[str, Any] = dict(trace.meta or {})
        meta["dataset"] = name
        meta["tags"] = [*meta.get("tags", []), name]
        out.append(trace.model_copy(update={"meta": meta}))
    return out


def _build(name: str, parts: list[Part]) -> list[TraceCreate]:
    seen: set[str] = set()
    return _label((t for part in parts for t in _take(part, seen)), name)


def golden_v1() -> list[TraceCreate]:
    """Five curated traces, one per kind of reasoning."""
    problems = [
        arithmetic_problem("add", 487, 356),
        arithmetic_problem("sub", 503, 178),
        arithmetic_problem("mul", 47, 23),
    ]
    traces = [to_trace(p, generator="arithmetic", seed=0, index=i) for i, p in enumerate(problems)]
    word = run_generator("word_problems", 1, seed=7, knobs={"kind": "bulk_discount"})
    duel = duel_problem([Card("K", "♠")], [Card("7", "♦")])
    traces += [*word, to_trace(duel, generator="high_card_duel", seed=0, index=0)]
    curated = [
        t.model_copy(update={"meta": {**(t.meta or {}), "source": "curated"}}) for t in traces
    ]
    return _label(curated, "golden-v1")


def _arith(
    op: str,
    n: int,
    seed: int,
    low: int,
    high: int,
    keep: Callable[[TraceCreate], bool] | None = None,
) -> Part:
    knobs: dict[str, KnobValue] = {"operation": op, "digits": high, "min_digits": low}
    return Part("arithmetic", n, seed, knobs, keep)


def golden_v2() -> list[TraceCreate]:
    """100 traces: arithmetic, word problems, High Card Duel and edge cases."""
    return _build(
        "golden-v2",
        [
            _arith("add", 20, 2001, 2, 4),
            _arith("sub", 20, 2002, 2, 4),
            _arith("mul", 20, 2003, 2, 2),
            Part("word_problems", 25, 2004),
            Part("high_card_duel", 10, 2005),
            Part("edge_cases", 5, 2006, {"length": 600}),
        ],
    )


def dev_reasoning_v1() -> list[TraceCreate]:
    """200 arithmetic and word-problem traces."""
    return _build(
        "dev-reasoning-v1",
        [
            _arith("add", 50, 3001, 1, 5),
            _arith("sub", 50, 3002, 1, 5),
            _arith("mul", 40, 3003, 1, 2),
            Part("word_problems", 60, 3004),
        ],
    )


def dev_reasoning_v2() -> list[TraceCreate]:
    """550 traces: the full mix, including games and format edge cases."""
    return _build(
        "dev-reasoning-v2",
        [
            _arith("add", 120, 4001, 1, 5),
            _arith("sub", 120, 4002, 1, 5),
            _arith("mul", 100, 4003, 1, 2),
            Part("word_problems", 130, 4004),
            Part("high_card_duel", 30, 4005),
            Part("high_card_duel", 20, 4006, {"hand_size": 3}),
            Part("edge_cases", 30, 4007, {"length": 1500}),
        ],
    )


COLLECTIONS: dict[str, Callable[[], list[TraceCreate]]] = {
    "golden-v1": golden_v1,
    "golden-v2": golden_v2,
    "dev-reasoning-v1": dev_reasoning_v1,
    "dev-reasoning-v2": dev_reasoning_v2,
}


def _count(text: str) -> Callable[[TraceCreate], int]:
    return lambda t: sum(text in s.content for s in t.steps)


EVAL_V2_PARTS: dict[str, list[Part]] = {
    "core": [
        _arith("add", 12, 9001, 2, 5),
        _arith("sub", 12, 9002, 2, 5),
        _arith("mul", 12, 9003, 2, 2),
        Part("word_problems", 18, 9004),
        Part("high_card_duel", 6, 9005),
    ],
    # Problems whose answer is hard to get without working: long carry and borrow chains,
    # two non-trivial partial products, three dependent steps.
    "trace_sensitive": [
        _arith("add", 5, 9101, 5, 5, keep=lambda t: _count("carry 1")(t) >= 3),
        _arith("sub", 5, 9102, 5, 5, keep=lambda t: _count("borrow 1")(t) >= 2),
        _arith("mul", 5, 9103, 2, 2, keep=lambda t: _count("*0=")(t) == 0),
        Part("word_problems", 10, 9104, {"steps": 3}),
    ],
    "edge_case": [
        Part("edge_cases", 5, 9201, {"kind": "unicode"}),
        Part("edge_cases", 6, 9202, {"kind": "punctuation"}),
        Part("edge_cases", 4, 9203, {"kind": "long_prompt", "length": 1200}),
    ],
}


def eval_v2_traces() -> dict[str, list[TraceCreate]]:
    """The worked traces behind ``eval_v2_items``, by section (prompts disjoint from seeds)."""
    seen = {t.prompt for build in COLLECTIONS.values() for t in build()}
    return {
        section: [t for part in parts for t in _take(part, seen)]
        for section, parts in EVAL_V2_PARTS.items()
    }


def eval_v2_items() -> list[dict[str, str]]:
    """100 eval items ``{id, prompt, expected_answer, section, category, difficulty}``."""
    items: list[dict[str, str]] = []
    for section, traces in eval_v2_traces().items():
        for k, trace in enumerate(traces, start=1):
            meta = trace.meta or {}
            items.append(
                {
                    "id": f"{EVAL_V2}-{section.replace('_', '-')}-{k:03d}",
                    "prompt": trace.prompt,
                    "expected_answer": trace.final_answer,
                    "section": section,
                    "category": str(meta["category"]),
                    "difficulty": str(meta["difficulty"]),
                }
            )
    return items
