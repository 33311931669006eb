"""``tunix-rt evalsets``: validate, register, list and show eval sets."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Eval sets: validate, register, list, show.", no_args_is_help=True)


def _read(path: Path) -> bytes:
    from tunix_rt.cli.common import fail

    try:
        return path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}", 2) from None


@app.command("validate")
def validate(file: Path = typer.Argument(..., help="Eval-set JSONL file.")) -> None:
    """Check an eval-set file; lists every problem (with line numbers) and exits 2 if any."""
    from tunix_rt.datasets.evalfile import parse_eval_jsonl

    items, problems = parse_eval_jsonl(_read(file))
    for problem in problems:
        typer.echo(f"{file}: {problem}", err=True)
    if problems:
        typer.echo(f"error: {len(problems)} problem(s) in {file}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{file}: {len(items)} items, ok")


@app.command("register")
def register(
    name: str = typer.Argument(..., help="Eval-set name."),
    file: Path = typer.Argument(..., help="Eval-set JSONL file."),
    description: str = typer.Option("", help="A one-line description."),
) -> None:
    """Register an eval set (identical content under the same name is a no-op)."""
    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import evalsets
    from tunix_rt.datasets.evalfile import parse_eval_jsonl
    from tunix_rt.errors import InvalidInput

    items, problems = parse_eval_jsonl(_read(file))

    async def _go() -> tuple[int, bool]:
        if problems:
            raise InvalidInput(
                f"{file} is invalid (see `tunix-rt evalsets validate`)", problems=problems
            )
        async with cli_session() as session:
            eval_set, created = await evalsets.store_eval_set(
                session=session, name=name, items=items, description=description
            )
            return eval_set.item_count, created

    count, created = run(_go)
    typer.echo(f"{'registered' if created else 'already registered'} {name}: {count} items")


@app.command("list")
def list_sets(
    limit: int = typer.Option(100, min=1, max=500), offset: int = typer.Option(0, min=0)
) -> None:
    """List registered eval sets."""
    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import evalsets

    async def _go() -> list[tuple[str, int, str]]:
        async with cli_session() as session:
            rows, _ = await evalsets.list_eval_sets(session=session, limit=limit, offset=offset)
            return [(r.name, r.item_count, r.description) for r in rows]

    for name, count, description in run(_go):
        typer.echo(f"{name}\t{count}\t{description}")


@app.command("show")
def show(
    name: str = typer.Argument(..., help="Eval-set name."),
    items: bool = typer.Option(False, "--items", help="Print the items as JSONL too."),
) -> None:
    """Print an eval set's statistics as JSON (and its items with --items)."""
    import orjson

    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import evalsets
    from tunix_rt.datasets.evalfile import items_to_jsonl

    async def _go() -> tuple[bytes, bytes]:
        async with cli_session() as session:
            eval_set = await evalsets.get_eval_set(session=session, name=name)
            stats = await evalsets.eval_set_stats(session=session, name=name)
            doc = {
                "name": eval_set.name,
                "description": eval_set.description,
                "content_hash": eval_set.content_hash,
                "stats": stats.model_dump(),
            }
            listed = await evalsets.list_eval_items(session=session, name=name) if items else []
            return orjson.dumps(doc, option=orjson.OPT_INDENT_2), items_to_jsonl(listed)

    summary, lines = run(_go)
    typer.echo(summary.decode())
    if items:
        typer.echo(lines.decode(), nl=False)
