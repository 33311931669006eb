"""Judge throughput: items/s of ``answer_correctness`` (and the other pure judges).

Builds ``--n`` predictions (default 100,000) from the arithmetic generator's traces, rendered
in all four trace styles, with right answers, wrong answers and reformatted answers, all
distinct strings. Measures, in the same run:
- ``answer_correctness`` over every prediction (normalisation cache cleared first);
- a trivial exact-match loop (text after ``Answer:`` == expected), the lower-bound baseline;
- math-verify (``parse`` + ``verify``) on a sample, the reference implementation;
- ``format`` and ``step_check`` over a sample.
Rates are items per CPU-second of this process (``time.process_time``): the development
machines are 2 shared cores where other processes take most of the wall clock, which would
measure the neighbours rather than the judge. The wall-clock rate is printed beside it.
Ends with one JSON line per figure.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence

from tunix_rt.datasets.render import TraceStyle, render_body
from tunix_rt.evaluation.judges import answer_correctness, step_check, trace_format
from tunix_rt.evaluation.judges.normalize import clear_cache
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction
from tunix_rt.traces.generators import arithmetic

GOAL = 50_000.0
VARIANTS: list[Callable[[int], str]] = [
    str,
    str,
    str,
    lambda x: f"{x:,}",
    lambda x: f"{x}.0",
    lambda x: f"${x}",
    lambda x: f"\\boxed{{{x}}}",
    lambda x: f"{x} apples",
]


def build(n: int, seed: int) -> list[tuple[JudgeItem, Prediction]]:
    """``n`` distinct (item, prediction) pairs over all styles, ~60% right."""
    rng = random.Random(seed)
    traces = arithmetic.generate(2_000, seed=seed, operation="mixed", digits=4)
    styles = list(TraceStyle)
    pairs: list[tuple[JudgeItem, Prediction]] = []
    for k in range(n):
        trace = traces[k % len(traces)]
        steps = [s.content for s in trace.steps]
        expected = int(trace.final_answer)
        answer = expected if rng.random() < 0.6 else expected + rng.randint(1, 999)
        style = styles[k % len(styles)]
        written = VARIANTS[rng.randrange(len(VARIANTS))](answer)
        # A varying tail keeps every prediction string distinct (no cache can help).
        body = render_body([*steps, f"check {k}"], written, style=style)
        item = JudgeItem(id=str(k), prompt=trace.prompt, expected_answer=trace.final_answer)
        pairs.append((item, Prediction(body, style=style)))
    return pairs


def rate(
    fn: Callable[[JudgeItem, Prediction], object], pairs: Sequence[tuple[JudgeItem, Prediction]]
) -> tuple[float, float]:
    """(items per CPU-second, items per wall-second) of ``fn`` over ``pairs``, one pass."""
    cpu, wall = time.process_time(), time.perf_counter()
    for item, prediction in pairs:
        fn(item, prediction)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return len(pairs) / max(cpu, 1e-9), len(pairs) / wall


def exact_match(item: JudgeItem, prediction: Prediction) -> bool:
    """The trivial baseline: the text after the last ``Answer:`` equals the expected string."""
    return prediction.text.rpartition("Answer:")[2].strip() == item.expected_answer


def math_verify_rate(pairs: Sequence[tuple[JudgeItem, Prediction]]) -> tuple[float, float]:
    """math-verify's ``parse`` + ``verify`` items/s (0 when it is not installed)."""
    try:
        from math_verify import parse, verify
    except ImportError:
        return 0.0, 0.0

    def judge(item: JudgeItem, prediction: Prediction) -> bool:
        return bool(verify(parse(item.expected_answer), parse(prediction.text)))

    return rate(judge, pairs)


def line(figure: str, value: float, baseline: float, goal: str) -> str:
    """One JSON result line."""
    ratio = value / baseline if baseline else None
    doc = {
        "bench": "eval",
        "figure": figure,
        "value": round(value, 1),
        "unit": "items/s",
        "baseline": round(baseline, 1),
        "ratio": None if ratio is None else round(ratio, 3),
        "goal": goal,
    }
    return json.dumps(doc)


def main() -> None:
    """Run the benchmark and print human figures, then JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="predictions to judge")
    parser.add_argument("--quick", action="store_true", help="10,000 predictions, small samples")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n = 10_000 if args.quick else args.n
    sample = 300 if args.quick else 2_000
    pairs = build(n, args.seed)
    clear_cache()
    ours, ours_wall = rate(answer_correctness.judge, pairs)
    trivial, _ = rate(exact_match, pairs)
    reference, _ = math_verify_rate(pairs[:sample])
    fmt, _ = rate(trace_format.judge, pairs[: sample * 5])
    steps, _ = rate(step_check.judge, pairs[: sample * 5])
    print(f"predictions: {n:,} (rates in items per CPU-second)")
    print(f"answer_correctness: {ours:,.0f} items/s (goal >= {GOAL:,.0f}); wall {ours_wall:,.0f}/s")
    print(f"exact-match loop:   {trivial:,.0f} items/s")
    print(f"math-verify:        {reference:,.0f} items/s (sample of {sample:,})")
    print(f"format:             {fmt:,.0f} items/s")
    print(f"step_check:         {steps:,.0f} items/s")
    print(line("answer_correctness_vs_math_verify", ours, reference, f">= {GOAL:.0f} items/s"))
    print(line("answer_correctness_vs_exact_match", ours, trivial, "informational"))
    print(line("format", fmt, trivial, "informational"))
    print(line("step_check", steps, trivial, "informational"))


if __name__ == "__main__":
    main()
