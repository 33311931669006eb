"""``tunix-rt datasets``: build, ingest, list, show, export, inspect, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    help="Datasets: build, ingest, list, show, export, inspect.", no_args_is_help=True
)


def _pairs(values: list[str], option: str) -> dict[str, Any]:
    """``key=value`` options; values are JSON when they parse (numbers, booleans), else text."""
    import orjson

    from tunix_rt.cli.common import fail

    out: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise fail(f"{option} expects key=value, got {item!r}", 2)
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = raw
        out[key] = value if not isinstance(value, dict | list) or option == "--meta" else raw
    return out


def _filters(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v not in (None, [], {})}


@app.command("build")
def build(
    name: str = typer.Option(..., help="Dataset name."),
    version: str = typer.Option("v1", help="Version; immutable once built."),
    strategy: str = typer.Option("latest", help="latest | random | stratified."),
    seed: int | None = typer.Option(None, help="Seed (required for random)."),
    stratify_by: str | None = typer.Option(None, help="Meta key for stratified."),
    limit: int | None = typer.Option(None, help="At most this many records."),
    eval_fraction: float = typer.Option(0.0, help="Share of records in the eval split."),
    split_seed: int | None = typer.Option(None, help="Seed of the split (default: seed)."),
    dedupe: str = typer.Option("content", help="content | prompt | none."),
    exclude_eval_overlap: bool = typer.Option(False, help="Drop records overlapping eval sets."),
    parent: str | None = typer.Option(None, help="Select only from this dataset's traces."),
    source: list[str] = typer.Option([], help="Filter: meta.source (repeatable)."),
    category: list[str] = typer.Option([], help="Filter: meta.category (repeatable)."),
    difficulty: list[str] = typer.Option([], help="Filter: meta.difficulty (repeatable)."),
    tag: list[str] = typer.Option([], help="Filter: has every one of these tags."),
    tag_any: list[str] = typer.Option([], help="Filter: has any of these tags."),
    meta: list[str] = typer.Option([], help="Filter: meta key=value (repeatable)."),
    min_score: float | None = typer.Option(None, help="Filter: meta score >= this."),
    max_score: float | None = typer.Option(None, help="Filter: meta score <= this."),
    min_steps: int | None = typer.Option(None),
    max_steps: int | None = typer.Option(None),
    created_after: str | None = typer.Option(None, help="ISO timestamp."),
    created_before: str | None = typer.Option(None, help="ISO timestamp."),
    provenance: list[str] = typer.Option([], help="key=value recorded in the manifest."),
    description: str = typer.Option(""),
) -> None:
    """Build an immutable dataset version from the stored traces."""
    filters = _filters(
        source=source,
        category=category,
        difficulty=difficulty,
        tags=tag,
        tags_any=tag_any,
        meta=_pairs(meta, "--meta"),
        min_score=min_score,
        max_score=max_score,
        min_steps=min_steps,
        max_steps=max_steps,
        created_after=created_after,
        created_before=created_before,
    )
    params = {
        "name": name,
        "version": version,
        "description": description,
        "strategy": strategy,
        "seed": seed,
        "stratify_by": stratify_by,
        "limit": limit,
        "eval_fraction": eval_fraction,
        "split_seed": split_seed,
        "dedupe": dedupe,
        "exclude_eval_overlap": exclude_eval_overlap,
        "parent": parent,
        "filters": filters,
        "provenance": {k: str(v) for k, v in _pairs(provenance, "--provenance").items()},
    }
    _run_build(params, None)


def _run_build(params: dict[str, Any], upload: bytes | None) -> None:
    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import ingest, service
    from tunix_rt.settings import get_settings

    async def _go() -> tuple[str, bool, int, str, int]:
        build_req = ingest.build_request({k: v for k, v in params.items() if v is not None})
        home = get_settings().home
        async with cli_session() as session:
            if upload is None:
                found = await service.build_dataset(session=session, build=build_req, home=home)
            else:
                found = await ingest.ingest_jsonl(
                    session=session, data=upload, build=build_req, home=home
                )
            dataset, created = found
            overlap = int(dataset.manifest["contamination"]["overlap_count"])
            return dataset.key, created, dataset.record_count, dataset.content_hash, overlap

    key, created, count, digest, overlap = run(_go)
    verb = "built" if created else "exists (identical)"
    typer.echo(f"{verb} {key}: {count} records, sha256 {digest}, eval overlap {overlap}")


@app.command("ingest")
def ingest_file(
    file: Path = typer.Argument(..., help="Trace JSONL file to upload."),
    name: str = typer.Option(...),
    version: str = typer.Option("v1"),
    eval_fraction: float = typer.Option(0.0),
    seed: int | None = typer.Option(None),
    strategy: str = typer.Option("latest", help="latest keeps file order; random."),
) -> None:
    """Store the traces of a JSONL file and build a dataset of exactly those."""
    from tunix_rt.cli.common import fail

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}", 2) from None
    params = {"name": name, "version": version, "eval_fraction": eval_fraction, "seed": seed}
    _run_build({**params, "strategy": strategy}, data)


@app.command("list")
def list_datasets(
    limit: int = typer.Option(50, min=1, max=500), offset: int = typer.Option(0, min=0)
) -> None:
    """Datasets, newest first: key, records, train/eval, sha256."""
    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import service

    async def _go() -> list[str]:
        async with cli_session() as session:
            rows, _ = await service.list_datasets(session=session, limit=limit, offset=offset)
            return [
                f"{r.key}\t{r.record_count}\t{r.train_count}/{r.eval_count}\t{r.content_hash}"
                for r in rows
            ]

    for line in run(_go):
        typer.echo(line)


@app.command("show")
def show(
    key: str = typer.Argument(...),
    trace_ids: bool = typer.Option(False, "--trace-ids", help="Include the trace-id list."),
) -> None:
    """Print a dataset's manifest as JSON."""
    import orjson

    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import service

    async def _go() -> bytes:
        async with cli_session() as session:
            if trace_ids:
                doc = await service.full_manifest(session=session, key=key)
            else:
                doc = dict((await service.get_dataset(session=session, key=key)).manifest)
            return orjson.dumps(doc, option=orjson.OPT_INDENT_2)

    typer.echo(run(_go).decode())


@app.command("export")
def export(
    key: str = typer.Argument(...),
    out: Path = typer.Option(..., "--out", "-o", help="Output file (a folder for hf)."),
    fmt: str = typer.Option(
        "trace", "--format", help="trace|tunix_sft|training_example|chat|parquet|hf"
    ),
    shard_rows: int = typer.Option(100_000, min=1, help="hf: records per Parquet shard."),
    split: str | None = typer.Option(None, help="train or eval (default: all)."),
    template: str = typer.Option("gemma"),
    style: str = typer.Option("numbered"),
    system: str | None = typer.Option(None),
) -> None:
    """Write a dataset export to a file (manifest order); ``hf``: a Hugging Face folder."""
    import asyncio

    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import exports, hf_export, service

    async def _go() -> tuple[int, str, int]:
        options = exports.ExportOptions.parse(
            fmt="parquet" if fmt == "hf" else fmt,
            split=split, template=template, style=style, system=system,
        )  # fmt: skip
        async with cli_session() as session:
            dataset = await service.get_dataset(session=session, key=key)
            source = await exports.open_source(session=session, dataset=dataset)
        if fmt == "hf":
            card = hf_export.DatasetCard(dataset.key, dataset.content_hash, dict(dataset.manifest))
            done = await asyncio.to_thread(
                hf_export.write_folder, source, card, options, out, shard_rows=shard_rows
            )
            return sum(done.counts.values()), dataset.content_hash, len(done.files)
        result = await asyncio.to_thread(exports.write_file, source, options, out)
        return result.count, result.sha256, result.bytes

    count, digest, size = run(_go)
    if fmt == "hf":
        typer.echo(f"wrote {count} records ({size} shards, manifest sha256 {digest}) to {out}")
        return
    typer.echo(f"wrote {count} records ({size} bytes, sha256 {digest}) to {out}")


@app.command("delete")
def delete(key: str = typer.Argument(...)) -> None:
    """Delete a dataset that no run uses."""
    from tunix_rt.cli.common import cli_session, run
    from tunix_rt.datasets import service
    from tunix_rt.runs import service as runs_service

    async def _go() -> None:
        async with cli_session() as session:
            used = await runs_service.count_dataset_runs(session=session, dataset_key=key)
            await service.delete_dataset(session=session, key=key, used_by_runs=used)

    run(_go)
    typer.echo(f"deleted {key}")


@app.command("inspect")
def inspect(
    key: str = typer.Argument(...),
    tokenizer: str = typer.Option("char", help="'char' or a local tokenizer directory."),
    template: str = typer.Option("gemma", help="gemma | chatml | llama3 | plain."),
    style: str = typer.Option("numbered", help="numbered | tagged | think | answer_only."),
    max_seq_length: int = typer.Option(512, min=8),
    system: str | None = typer.Option(None, help="System instruction."),
    sample: int = typer.Option(3, min=0, help="Records shown token by token."),
    max_records: int = typer.Option(10_000, min=1),
    split: str | None = typer.Option(None, help="train or eval (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
) -> None:
    """Token-level preview: loss vs masked tokens, lengths, truncation, lint warnings."""
    import orjson

    from tunix_rt.cli.common import cli_session, fail, run
    from tunix_rt.datasets import service
    from tunix_rt.datasets.inspect import InspectOptions
    from tunix_rt.datasets.render import ChatTemplate, TraceStyle

    try:
        options = InspectOptions(
            template=ChatTemplate(template),
            style=TraceStyle(style),
            max_seq_length=max_seq_length,
            system=system,
            sample=sample,
        )
    except ValueError as exc:
        raise fail(str(exc), 2) from None

    async def _go() -> dict[str, Any]:
        async with cli_session() as session:
            return await service.inspect_dataset(
                session=session,
                key=key,
                tokenizer=tokenizer,
                options=options,
                max_records=max_records,
                split=split,
            )

    report = run(_go)
    if as_json:
        typer.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, markup=False)
    lengths = report["token_lengths"]
    console.print(
        f"{report['key']}: {report['records']} records, tokenizer {report['tokenizer']}, "
        f"{report['template']}/{report['style']}, max_seq_length {report['max_seq_length']}"
    )
    console.print(
        f"tokens: min {lengths['min']} p50 {lengths['p50']} p95 {lengths['p95']} "
        f"max {lengths['max']} mean {lengths['mean']}"
    )
    console.print(
        f"truncated: {report['truncated']}   answer cut off: {report['answer_cut']}   "
        f"lint: {report['lint_counts'] or 'none'}"
    )
    for warning in report["warnings"]:
        console.print(f"warning: {warning}", style="yellow")
    for flagged in report["flagged"][:20]:
        notes = [*flagged["lint"], *(["answer cut off"] if flagged["answer_cut"] else [])]
        console.print(f"  {flagged['id']}: {'; '.join(notes)}", style="red")
    for record in report["samples"]:
        legend = "dim = masked, bold = loss, red = cut"
        console.print(f"\n[{record['id']}] {record['total_tokens']} tokens ({legend})")
        text = Text()
        for token in record["tokens"]:
            style = "red" if not token["kept"] else ("bold" if token["loss"] else "dim")
            text.append(token["text"], style=style)
        console.print(text)
