"""``tunix-rt demo``: the whole loop on a laptop CPU, through the platform's own queue.

Seeds arithmetic traces (addition and subtraction up to 5 digits with carries and borrows
shown, 2-digit multiplication by partial products, two- and three-step word problems),
builds a dataset with a held-out split, registers that split as an eval set, trains a tiny
model as a queued run with live progress, evaluates it on the held-out problems, and prints
accuracy per category beside the steps, examples, tokens/s and time it took. The budget is a
number of optimizer steps, so the accuracy is a function of the seed alone and a slower box
only takes longer; ``--time-budget`` bounds by seconds instead. ``--ablation`` trains the
``answer_only`` style on the same budget; ``--rl`` continues with GRPO (cli/demo_rl.py).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.cli.common import run
from tunix_rt.cli.demo_runs import Outcome, console, platform, train_and_evaluate
from tunix_rt.datasets import evalsets
from tunix_rt.datasets import service as dataset_service
from tunix_rt.datasets.schemas import DatasetBuild, DatasetFilters, EvalItemIn
from tunix_rt.db.session import session_scope
from tunix_rt.evaluation.scorecard import Spread
from tunix_rt.settings import Settings, get_settings
from tunix_rt.traces import service as trace_service
from tunix_rt.traces.generators import reasoning_mix

__all__ = ["GOAL_ACCURACY", "DemoPlan", "Outcome", "demo", "demo_figure", "run_demo"]

# The learning area's goal for the demo's held-out accuracy.
GOAL_ACCURACY = 0.97


@dataclass(frozen=True)
class DemoPlan:
    """Data and training budget of the demo (measured choices: docs/results.md)."""

    seed: int = 7
    n_train: int = 30_000
    n_heldout: int = 400
    # Operands restated reversed, column-by-column multiplication, easy word problems whose
    # multi-digit steps are worked by column too: every step is a one-digit operation at a
    # fixed offset (docs/results.md measures each change).
    knobs: dict[str, Any] = field(
        default_factory=lambda: {
            "notation": "reversed",
            "detail": "columns",
            "word_difficulty": "easy",
            "word_columns": True,
        }
    )
    # Part of the data tag: traces of an older demo format are never mixed into a new build.
    data_format: str = "f4"
    style: str = "tagged"
    # The longest worked word problem is ~400 tokens; the default 256 would cut it off.
    max_new_tokens: int = 512
    train: dict[str, Any] = field(
        default_factory=lambda: {
            "model": "tiny-llama",
            "model_overrides": {"num_hidden_layers": 3},
            # Frequent words are single tokens, digits stay single: ~30% fewer tokens.
            "tokenizer": "words",
            "template": "plain",
            "max_seq_length": 640,
            # Small batches learn far more per example here (batch 32/16/8/4 at 48k examples:
            # 36/62/67/73% held-out): 2 processes x batch 2 train as one process at batch 4,
            # on both cores (one thread each; training/parallel.py).
            "batch_size": 2,
            "processes": 2,
            "num_threads": 1,
            "learning_rate": 1e-3,
            "warmup_steps": 100,
            "weight_decay": 0.1,
            "lr_schedule": "cosine",
            # A compute budget, not a clock: 22,000 steps at batch 4 (88k examples, about
            # 480 s on a 2-core box at ~20k tokens/s); the cosine schedule spans these steps.
            "max_steps": 22_000,
            "log_every_steps": 100,
        }
    )

    @property
    def tag(self) -> str:
        return f"demo-{self.data_format}-s{self.seed}-n{self.n_train + self.n_heldout}"

    @property
    def examples_per_step(self) -> int:
        t = self.train
        return int(
            t["batch_size"] * t.get("processes", 1) * t.get("gradient_accumulation_steps", 1)
        )

    def budgeted(self, *, steps: int | None, time_budget_s: float | None) -> DemoPlan:
        """The plan bounded by ``steps``, by ``time_budget_s``, or by both (whichever ends first).

        A time budget alone replaces the step budget: the schedule then spans the clock.
        """
        if steps is None and time_budget_s is None:
            return self
        train = {k: v for k, v in self.train.items() if k not in ("max_steps", "time_budget_s")}
        if steps is not None:
            train["max_steps"] = steps
            # Warmup stays a small share of a short budget (it must end before the last step).
            train["warmup_steps"] = min(int(self.train["warmup_steps"]), steps // 10)
        if time_budget_s is not None:
            train["time_budget_s"] = time_budget_s
        return replace(self, train=train)


async def _prepare(session: AsyncSession, settings: Settings, plan: DemoPlan) -> tuple[str, str]:
    """Seed the traces, build the dataset, register its held-out split; returns (key, eval set)."""
    traces = reasoning_mix.generate(plan.n_train + plan.n_heldout, seed=plan.seed, **plan.knobs)
    tagged = [
        t.model_copy(
            update={"meta": {**(t.meta or {}), "tags": [*(t.meta or {}).get("tags", []), plan.tag]}}
        )
        for t in traces
    ]
    result = await trace_service.create_traces(session=session, traces=tagged)
    console.print(f"traces: {result.created} created, {result.duplicates} already present")
    build = DatasetBuild(
        name="demo-mix",
        version=plan.tag.removeprefix("demo-"),
        filters=DatasetFilters(tags=[plan.tag]),
        eval_fraction=plan.n_heldout / (plan.n_train + plan.n_heldout),
        seed=plan.seed,
    )
    dataset, _ = await dataset_service.build_dataset(
        session=session, build=build, home=settings.home
    )
    eval_name = f"{plan.tag}-heldout"
    path = settings.home / "demo" / f"{dataset.key}-heldout.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    await dataset_service.export_to_file(
        session=session, key=dataset.key, fmt="trace", path=path, split="eval"
    )
    items = [
        _eval_item(n, orjson.loads(line)) for n, line in enumerate(path.read_bytes().splitlines())
    ]
    await evalsets.register_eval_set(session=session, name=eval_name, items=items)
    console.print(
        f"dataset {dataset.key}: {dataset.record_count} records; "
        f"held-out eval set {eval_name}: {len(items)} items"
    )
    return dataset.key, eval_name


def _eval_item(n: int, row: dict[str, Any]) -> EvalItemIn:
    meta = row.get("meta") or {}
    return EvalItemIn(
        id=f"heldout-{n:05d}",
        prompt=row["prompt"],
        expected_answer=row["final_answer"],
        category=meta.get("category"),
        difficulty=meta.get("difficulty"),
    )


async def _train_and_evaluate(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    plan: DemoPlan,
    key: str,
    eval_set: str,
    style: str,
) -> Outcome:
    config = {**plan.train, "style": style, "dataset": key, "seed": plan.seed}
    return await train_and_evaluate(
        factory,
        settings,
        config,
        label=style,
        eval_set=eval_set,
        max_new_tokens=plan.max_new_tokens,
        examples_per_step=plan.examples_per_step,
    )


async def prepare(
    factory: async_sessionmaker[AsyncSession], settings: Settings, plan: DemoPlan
) -> tuple[str, str]:
    """Seed, build and register the held-out split; returns (dataset key, eval set name)."""
    async with session_scope(factory) as session:
        return await _prepare(session, settings, plan)


async def run_demo(settings: Settings, plan: DemoPlan, styles: list[str]) -> list[Outcome]:
    """The whole demo under ``settings.home``: one Outcome per trained style, in order."""
    async with platform(settings) as factory:
        key, eval_set = await prepare(factory, settings, plan)
        return [
            await _train_and_evaluate(factory, settings, plan, key, eval_set, s) for s in styles
        ]


def _report(outcomes: list[Outcome], wall_s: float) -> None:
    categories = sorted({c for o in outcomes for c in o.by_category})
    table = Table("held-out accuracy", *[o.style for o in outcomes])
    for cat in categories:
        cells = []
        for o in outcomes:
            entry = o.by_category.get(cat, Spread(n=0, mean=0.0, stddev=None, ci95=None))
            cells.append(f"{entry.mean or 0.0:.1%} (n={entry.n})")
        table.add_row(cat, *cells)
    table.add_row(
        "[bold]all[/]", *[f"[bold]{o.accuracy:.1%}[/] CI {_ci(o.ci95)}" for o in outcomes]
    )
    table.add_row("steps", *[f"{o.steps:,}" for o in outcomes])
    table.add_row("examples", *[f"{o.examples:,}" for o in outcomes])
    table.add_row("tokens/s", *[_maybe(o.tokens_per_s, "{:,.0f}") for o in outcomes])
    table.add_row("training time", *[_maybe(o.train_s, "{:,.0f} s") for o in outcomes])
    console.print(table)
    console.print(f"demo wall time {wall_s:,.0f} s")
    main = outcomes[0]
    figures = [
        demo_figure(
            "heldout_accuracy",
            main.accuracy,
            "fraction",
            GOAL_ACCURACY,
            ">= 1.0 (97% of held-out problems)",
        )
    ]
    if len(outcomes) > 1:
        figures.append(
            demo_figure(
                "scratchpad_vs_answer_only",
                main.accuracy,
                "fraction",
                outcomes[1].accuracy,
                "report",
            )
        )
    figures.append(
        {
            "bench": "demo",
            "figure": "wall_time",
            "value": round(wall_s, 1),
            "unit": "s",
            "baseline": 600.0,
            "ratio": round(600.0 / wall_s, 3),
            "goal": ">= 1.0 (10 minutes)",
        }
    )
    for figure in figures:
        typer.echo(json.dumps(figure))


def _maybe(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _ci(ci: tuple[float, float] | None) -> str:
    return "-" if not ci else f"[{ci[0]:.1%}, {ci[1]:.1%}]"


def demo_figure(name: str, value: float, unit: str, baseline: float, goal: str) -> dict[str, Any]:
    """One figure line of the demo (bench/demo.py prints the same shape)."""
    ratio = value / baseline if baseline > 0 else None
    return {
        "bench": "demo",
        "figure": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "goal": goal,
    }


def demo(
    ablation: bool = typer.Option(
        False, "--ablation", help="Also train answer_only on the same budget."
    ),
    steps: int | None = typer.Option(
        None,
        "--steps",
        min=10,
        help="Optimizer steps per model (default 22,000 at batch 4); the schedule spans them.",
    ),
    time_budget: float | None = typer.Option(
        None,
        "--time-budget",
        min=10,
        help="Bound each training by seconds instead (with --steps: whichever ends first).",
    ),
    n_train: int | None = typer.Option(None, "--n-train", min=100, help="Training problems."),
    n_heldout: int | None = typer.Option(
        None, "--n-heldout", min=10, help="Held-out problems (the eval set)."
    ),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed of the data and the model."),
    rl: bool = typer.Option(
        False, "--rl", help="Then GRPO from the SFT model on the training prompts (docs/rl.md)."
    ),
    rl_control: bool = typer.Option(
        False,
        "--rl-control",
        help="With --rl: also continue SFT from the same model for GRPO's measured time.",
    ),
    rl_steps: int | None = typer.Option(
        None, "--rl-steps", min=1, help="GRPO steps (with --rl; default 80)."
    ),
) -> None:
    """Seed, build, train a tiny model through the queue, evaluate on held-out problems, report."""
    plan = DemoPlan()
    if n_train is not None:
        plan = replace(plan, n_train=n_train)
    if n_heldout is not None:
        plan = replace(plan, n_heldout=n_heldout)
    if seed is not None:
        plan = replace(plan, seed=seed)
    plan = plan.budgeted(steps=steps, time_budget_s=time_budget)
    if rl or rl_control or rl_steps is not None:
        from tunix_rt.cli import demo_rl  # it imports this module

        demo_rl.main(plan, rl=rl, control=rl_control, steps=rl_steps, ablation=ablation)
        return
    styles = [plan.style, "answer_only"] if ablation else [plan.style]
    started = time.monotonic()
    outcomes = run(lambda: run_demo(get_settings(), plan, styles))
    _report(outcomes, time.monotonic() - started)
