"""``tunix-rt traces``: import, export, list, show and delete traces."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import IO

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tunix_rt.cli.common import cli_session, fail, run
from tunix_rt.traces import importer, service
from tunix_rt.traces.formats import stream, tabular
from tunix_rt.traces.formats.mapping import TraceFormat
from tunix_rt.traces.importer import ImportResult
from tunix_rt.traces.schemas import TracePublic

app = typer.Typer(
    help="Reasoning traces: import, export, list, show, delete.", no_args_is_help=True
)
_READ_BLOCK = 1 << 20

SourceOpt = typer.Option(None, help="Only traces with this meta.source.")
CategoryOpt = typer.Option(None, help="Only this meta.category.")
DifficultyOpt = typer.Option(None, help="Only this meta.difficulty.")
TagOpt = typer.Option(None, help="Only traces tagged with this tag.")
QueryOpt = typer.Option(None, "--q", help="Text to search for in prompt and final answer.")
AfterOpt = typer.Option(None, help="Created after this ISO time.")
BeforeOpt = typer.Option(None, help="Created before this ISO time.")


def _filter(
    source: str | None,
    category: str | None,
    difficulty: str | None,
    tag: str | None,
    q: str | None,
    after: datetime | None,
    before: datetime | None,
) -> service.TraceFilter:
    return service.TraceFilter(source, category, difficulty, tag, after, before, q or None)


async def _file_chunks(path: Path, advance: Callable[[int], None]) -> AsyncIterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(_READ_BLOCK):
            advance(len(block))
            yield block


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("importing"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@app.command("import")
def import_file(
    file: Path = typer.Argument(
        ..., help="JSONL file, Parquet file or datasets folder ('-' for stdin)."
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import the good lines and report the bad ones."
    ),
    fmt: TraceFormat = typer.Option(
        TraceFormat.AUTO, "--format", help="Record shape (docs/interop.md); auto sniffs."
    ),
) -> None:
    """Import traces from JSONL, chat, GSM8K, Hugging Face datasets or OTLP files; any bad
    record imports nothing unless --skip-invalid."""
    stdin = str(file) == "-"
    if not stdin and not file.exists():
        raise fail(f"no such file: {file}", 2)
    rows = not stdin and tabular.reads_rows(file, fmt)
    if rows:
        result = run(lambda: _import_rows(file, fmt, skip_invalid))
    else:
        total = None if stdin else file.stat().st_size
        result = run(lambda: _import_lines(file, total, fmt, skip_invalid))
    unit = "rows" if rows else "lines"
    skipped = f", {result.skipped} invalid {unit} skipped" if result.skipped else ""
    ignored = f", {result.ignored} non-GenAI spans ignored" if result.ignored else ""
    typer.echo(
        f"{result.created} created, {result.duplicates} duplicates (already stored)"
        f"{skipped}{ignored}"
    )
    for problem in result.problems:
        typer.echo(f"skipped {problem}", err=True)


async def _import_lines(
    file: Path, total: int | None, fmt: TraceFormat, skip_invalid: bool
) -> ImportResult:
    console = Console(stderr=True)
    stdin = str(file) == "-"
    path = Path("/dev/stdin") if stdin else file
    with _progress(console) as progress:
        task = progress.add_task("import", total=total)
        chunks = _file_chunks(path, lambda n: progress.advance(task, n))
        async with cli_session() as session:
            return await stream.import_lines(
                session=session,
                chunks=chunks,
                fmt=fmt,
                file=None if stdin else file.name,
                skip_invalid=skip_invalid,
            )


async def _import_rows(path: Path, fmt: TraceFormat, skip_invalid: bool) -> ImportResult:
    async with cli_session() as session:
        return await tabular.import_rows(
            session=session, path=path, fmt=fmt, skip_invalid=skip_invalid
        )


@app.command("export")
def export(
    output: Path | None = typer.Option(None, "-o", "--output", help="File (default stdout)."),
    source: str | None = SourceOpt,
    category: str | None = CategoryOpt,
    difficulty: str | None = DifficultyOpt,
    tag: str | None = TagOpt,
    q: str | None = QueryOpt,
    created_after: datetime | None = AfterOpt,
    created_before: datetime | None = BeforeOpt,
) -> None:
    """Export traces as JSONL in the trace format, newest first."""
    flt = _filter(source, category, difficulty, tag, q, created_after, created_before)

    async def _write(out: IO[bytes]) -> int:
        count = 0
        async with cli_session() as session:
            async for block in importer.export_jsonl(session=session, flt=flt):
                out.write(block)
                count += block.count(b"\n")
        return count

    if output is None:
        run(lambda: _write(sys.stdout.buffer))
        return
    with output.open("wb") as fh:
        count = run(lambda: _write(fh))
    typer.echo(f"{count} traces written to {output}", err=True)


@app.command("list")
def list_traces(
    limit: int = typer.Option(20, min=1, max=500, help="Rows to show."),
    cursor: str | None = typer.Option(None, help="next cursor printed by the previous page."),
    source: str | None = SourceOpt,
    category: str | None = CategoryOpt,
    difficulty: str | None = DifficultyOpt,
    tag: str | None = TagOpt,
    q: str | None = QueryOpt,
    as_json: bool = typer.Option(False, "--json", help="One trace JSON per line instead."),
) -> None:
    """List traces, newest first."""
    flt = _filter(source, category, difficulty, tag, q, None, None)

    async def _go() -> service.TracePage:
        async with cli_session() as session:
            return await service.list_traces(session=session, flt=flt, limit=limit, cursor=cursor)

    page = run(_go)
    if as_json:
        for t in page.rows:
            typer.echo(TracePublic.model_validate(t).model_dump_json())
    else:
        _print_table(page)
    if page.next_cursor:
        typer.echo(f"next: --cursor {page.next_cursor}", err=as_json)


def _print_table(page: service.TracePage) -> None:
    table = Table("id", "created", "source", "steps", "prompt", "answer")
    for t in page.rows:
        created = t.created_at.strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(
            str(t.id),
            created,
            t.source or "",
            str(t.step_count),
            t.prompt[:50],
            t.final_answer[:20],
        )
    Console().print(table)


def _trace_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise fail(f"not a trace id: {value!r}", 2) from None


@app.command("show")
def show(trace_id: str = typer.Argument(..., help="Trace id (UUID).")) -> None:
    """Print one trace as JSON."""
    tid = _trace_id(trace_id)

    async def _go() -> bytes:
        async with cli_session() as session:
            trace = await service.get_trace(session=session, trace_id=tid)
            return orjson.dumps(TracePublic.model_validate(trace).model_dump(mode="json"))

    typer.echo(run(_go).decode())


@app.command("delete")
def delete(trace_id: str = typer.Argument(..., help="Trace id (UUID).")) -> None:
    """Delete one trace."""
    tid = _trace_id(trace_id)

    async def _go() -> None:
        async with cli_session() as session:
            await service.delete_trace(session=session, trace_id=tid)

    run(_go)
    typer.echo(f"deleted {tid}")
