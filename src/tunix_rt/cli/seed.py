"""``tunix-rt seed``: insert a named seed collection, the eval-v2 eval set, or generated traces."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from tunix_rt.cli.common import cli_session, fail, run

if TYPE_CHECKING:
    from tunix_rt.traces.schemas import TraceCreate

NOTHING = "give a collection NAME, --list, or --generator NAME"


def _knobs(pairs: list[str]) -> dict[str, str]:
    knobs: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise fail(f"--knob must be KEY=VALUE, got {pair!r}", 2)
        knobs[key.strip()] = value.strip()
    return knobs


def _list() -> None:
    from tunix_rt.traces import seeds
    from tunix_rt.traces.generators import GENERATORS

    typer.echo("collections:")
    for name, build in seeds.COLLECTIONS.items():
        typer.echo(f"  {name:<18} {len(build()):>4} traces  {(build.__doc__ or '').strip()}")
    items = seeds.eval_v2_items()
    typer.echo(
        f"  {seeds.EVAL_V2:<18} {len(items):>4} items   eval set (core/trace_sensitive/edge_case)"
    )
    typer.echo("generators (--generator NAME --n N --seed S --knob KEY=VALUE):")
    for spec in GENERATORS.values():
        typer.echo(f"  {spec.name:<18} {spec.description}; knobs: {', '.join(spec.knobs)}")


def _store(label: str, build_traces: Callable[[], list[TraceCreate]]) -> None:
    from tunix_rt.traces import service as trace_service

    async def _go() -> tuple[int, int]:
        traces = build_traces()
        async with cli_session() as session:
            result = await trace_service.create_traces(session=session, traces=traces)
            return result.created, result.duplicates

    created, present = run(_go)
    typer.echo(f"{label}: {created} created, {present} already present")


def _register_eval_v2() -> None:
    from tunix_rt.datasets import evalsets
    from tunix_rt.traces import seeds

    async def _go() -> tuple[int, bool]:
        items = [evalsets.EvalItemIn.model_validate(item) for item in seeds.eval_v2_items()]
        async with cli_session() as session:
            eval_set, created = await evalsets.store_eval_set(
                session=session,
                name=seeds.EVAL_V2,
                items=items,
                description="100 generated items: core 60, trace_sensitive 25, edge_case 15",
            )
            return eval_set.item_count, created

    count, created = run(_go)
    state = "registered" if created else "already present"
    typer.echo(f"{seeds.EVAL_V2}: eval set with {count} items {state}")


def seed(
    name: str | None = typer.Argument(
        None,
        help="Collection to insert: golden-v1, golden-v2, dev-reasoning-v1, "
        "dev-reasoning-v2, or eval-v2 (registers the eval set).",
    ),
    list_all: bool = typer.Option(False, "--list", help="List collections and generators."),
    generator: str | None = typer.Option(
        None, "--generator", help="Insert traces from this generator instead of a collection."
    ),
    n: int = typer.Option(100, "--n", min=1, max=100_000, help="Traces to generate."),
    seed_value: int = typer.Option(0, "--seed", min=0, help="Generator seed."),
    knob: list[str] = typer.Option([], "--knob", help="Generator knob KEY=VALUE (repeatable)."),
) -> None:
    """Insert seed data. Idempotent: traces already stored are counted, not duplicated."""
    chosen = sum((name is not None, list_all, generator is not None))
    if chosen != 1:
        raise fail(NOTHING if chosen == 0 else f"only one of: {NOTHING}", 2)
    if list_all:
        _list()
    elif generator is not None:
        from tunix_rt.traces.generators import run_generator

        knobs = _knobs(knob)
        label = f"{generator} (n={n}, seed={seed_value})"
        _store(label, lambda: run_generator(generator, n, seed=seed_value, knobs=knobs))
    else:
        from tunix_rt.traces import seeds

        if name == seeds.EVAL_V2:
            _register_eval_v2()
        elif name in seeds.COLLECTIONS:
            _store(name, seeds.COLLECTIONS[name])
        else:
            known = ", ".join([*seeds.COLLECTIONS, seeds.EVAL_V2])
            raise fail(f"unknown collection {name!r}; known: {known}", 2)
