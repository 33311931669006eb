"""The demo's robustness check: its recipe on three seeds, then one seed on a busy box.

Each run is the whole ``tunix-rt demo`` (seed, build, queued training, evaluation) in a fresh
home. The budget is in optimizer steps, so a seed's accuracy must not depend on how fast the
box is: the last run repeats the first seed with one core kept busy by a CPU burner (standing
for a slower box) and must score the same; only its time may change.

    .venv/bin/python -P bench/demo.py [--quick] [--seeds 7 8 9] [--steps N] [--no-busy]

The full check takes about four demo runs (~45 minutes on 2 cores); ``--quick`` is a smoke
run (a small data set and a few hundred steps: it shows the mechanics, not the accuracy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from tunix_rt.cli.demo import GOAL_ACCURACY, DemoPlan, Outcome, demo_figure, run_demo
from tunix_rt.settings import get_settings


def one_run(plan: DemoPlan, home: Path) -> tuple[Outcome, float]:
    """One demo in a fresh ``home`` (its own embedded database): its outcome and wall seconds."""
    os.environ["TUNIX_RT_HOME"] = str(home)
    os.environ.pop("TUNIX_RT_DATABASE_URL", None)
    get_settings.cache_clear()
    started = time.monotonic()
    (outcome,) = asyncio.run(run_demo(get_settings(), plan, [plan.style]))
    return outcome, time.monotonic() - started


def _burn(stop: mp.synchronize.Event) -> None:
    """Keep one core busy until told to stop."""
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def line(o: Outcome, wall_s: float, label: str) -> str:
    cats = "  ".join(f"{c} {s.mean or 0.0:.1%}" for c, s in sorted(o.by_category.items()))
    rate = f"{o.tokens_per_s:,.0f}" if o.tokens_per_s else "-"
    return (
        f"{label}: {o.accuracy:.1%}  ({cats})  {o.steps:,} steps, {o.examples:,} examples, "
        f"{rate} tok/s, training {o.train_s or 0:,.0f} s, demo {wall_s:,.0f} s"
    )


def figure(name: str, value: float, unit: str, baseline: float, goal: str) -> str:
    return json.dumps(demo_figure(name, value, unit, baseline, goal))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small data, 300 steps (a smoke run)")
    p.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    p.add_argument("--steps", type=int, default=None, help="steps per run (default: the demo's)")
    p.add_argument("--no-busy", action="store_true", help="skip the busy-box run")
    a = p.parse_args()
    plan = DemoPlan()
    steps = a.steps or (300 if a.quick else None)
    if a.quick:
        plan = replace(plan, n_train=600, n_heldout=40)
    plan = plan.budgeted(steps=steps, time_budget_s=None)
    results: list[tuple[Outcome, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in a.seeds:
            outcome, wall = one_run(replace(plan, seed=seed), Path(tmp) / f"seed{seed}")
            results.append((outcome, wall))
            print(line(outcome, wall, f"seed {seed}"), flush=True)
        busy = None
        if not a.no_busy:
            stop = mp.get_context("spawn").Event()
            burner = mp.get_context("spawn").Process(target=_burn, args=(stop,), daemon=True)
            burner.start()
            try:
                seed = a.seeds[0]
                busy = one_run(replace(plan, seed=seed), Path(tmp) / f"busy{seed}")
            finally:
                stop.set()
                burner.join(10)
            print(line(busy[0], busy[1], f"seed {seed}, one core busy"), flush=True)
    accs = [o.accuracy for o, _ in results]
    spread = max(accs) - min(accs)
    worst_cat = min(
        (s.mean or 0.0 for o, _ in results for s in o.by_category.values()), default=0.0
    )
    print(
        f"accuracy min {min(accs):.1%} max {max(accs):.1%} spread {spread:.1%}; "
        f"worst category {worst_cat:.1%}; "
        f"demo wall time {min(w for _, w in results):,.0f}-{max(w for _, w in results):,.0f} s"
    )
    print(figure("heldout_accuracy_min", min(accs), "fraction", GOAL_ACCURACY, ">= 1.0 (97%)"))
    print(figure("category_accuracy_min", worst_cat, "fraction", 0.9, ">= 1.0 (90%)"))
    print(figure("accuracy_spread", spread, "fraction", 0.05, "report"))
    if busy is not None:
        first, first_wall = results[0]
        print(
            figure(
                "busy_box_accuracy", busy[0].accuracy, "fraction", first.accuracy, "== 1.0 (same)"
            )
        )
        print(figure("busy_box_speed", first_wall, "s", busy[1], "report (quiet time / busy)"))


if __name__ == "__main__":
    main()
