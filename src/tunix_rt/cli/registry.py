"""``tunix-rt models``: model families, promotion, aliases and downloads."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from tunix_rt.cli.common import cli_session, fail, run
from tunix_rt.registry import service, storage
from tunix_rt.registry.schemas import ModelFamilyCreate, PromoteRequest
from tunix_rt.settings import get_settings

app = typer.Typer(
    help="Model registry: families, versions, aliases, downloads.", no_args_is_help=True
)


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise fail(f"not a {what} id: {value!r}", 2) from None


@app.command("create")
def create(
    name: str = typer.Argument(..., help="Family name (letters, digits, . _ -)."),
    description: str = typer.Option("", help="What this family of models is for."),
) -> None:
    """Create a model family."""
    try:
        family_in = ModelFamilyCreate(name=name, description=description)
    except ValueError as exc:
        raise fail(str(exc).splitlines()[-1].strip(), 2) from None

    async def _go() -> None:
        async with cli_session() as session:
            await service.create_family(session=session, family_in=family_in)

    run(_go)
    typer.echo(f"created model family {name}")


@app.command("list")
def list_families(limit: int = typer.Option(50, min=1, max=500)) -> None:
    """List model families with their latest version and aliases."""

    async def _go() -> list[tuple[str, int, str, str]]:
        async with cli_session() as session:
            rows = []
            for family in await service.list_families(session=session, limit=limit, offset=0):
                info = await service.family_summary(session=session, family=family)
                latest = info["latest"].label if info["latest"] else "-"
                aliases = ", ".join(sorted(info["aliases"])) or "-"
                rows.append((family.name, info["version_count"], latest, aliases))
            return rows[:limit]

    table = Table("family", "versions", "latest", "aliases")
    for name, count, latest, aliases in run(_go):
        table.add_row(name, str(count), latest, aliases)
    Console().print(table)


@app.command("promote")
def promote(
    family: str = typer.Argument(..., help="Family name or id."),
    run_id: str = typer.Argument(..., help="A succeeded run whose final model to register."),
    label: str | None = typer.Option(None, help="Version label (default v<N>)."),
    alias: list[str] = typer.Option([], "--alias", help="Alias to point at it (repeatable)."),
) -> None:
    """Promote a run's final model into the content-addressed store."""
    try:
        request = PromoteRequest(run_id=_uuid(run_id, "run"), label=label, aliases=alias)
    except ValueError as exc:
        raise fail(str(exc).splitlines()[-1].strip(), 2) from None

    async def _go() -> tuple[str, str, bool]:
        async with cli_session() as session:
            fam = await service.get_family(session=session, ref=family)
            version, created = await service.promote_run(
                session=session, family=fam, request=request, home=get_settings().home
            )
            return version.label, version.sha256, created

    label_out, sha, created = run(_go)
    note = "registered" if created else "already registered (identical content)"
    typer.echo(f"{family}/{label_out} {note} sha256={sha}")


@app.command("alias")
def set_alias(
    family: str = typer.Argument(..., help="Family name or id."),
    alias: str = typer.Argument(..., help="Alias, e.g. champion."),
    version_id: str = typer.Argument(..., help="Version id to point it at."),
) -> None:
    """Point an alias at a version."""
    vid = _uuid(version_id, "version")

    async def _go() -> None:
        async with cli_session() as session:
            fam = await service.get_family(session=session, ref=family)
            version = await service.get_version(session=session, version_id=vid)
            await service.set_alias(session=session, family=fam, alias=alias, version=version)

    run(_go)
    typer.echo(f"{family}/{alias} -> {version_id}")


@app.command("download")
def download(
    uri: str = typer.Argument(..., help="registry://family[/alias|label]"),
    out: Path = typer.Option(Path("."), "-o", "--out", help="Directory to write <label>.tar to."),
) -> None:
    """Write a version's deterministic tar archive and check its sha256."""

    async def _go() -> tuple[str, str, str]:
        async with cli_session() as session:
            version = await service.resolve_uri(session=session, uri=uri)
            return version.label, version.storage_path, version.archive_sha256

    label, path, expected = run(_go)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{label}.tar"
    digest = hashlib.sha256()
    with target.open("wb") as fh:
        for chunk in storage.iter_archive(Path(path), "model"):
            digest.update(chunk)
            fh.write(chunk)
    if digest.hexdigest() != expected:
        raise fail(f"checksum mismatch for {target}", 1)
    typer.echo(f"wrote {target} (sha256 {expected})")


@app.command("export")
def export(
    uri: str = typer.Argument(..., help="registry://family[/alias|label]"),
    out: Path = typer.Option(..., "-o", "--out", help="Folder to write (absent or empty)."),
) -> None:
    """Write a version as a Hugging Face model folder with a model card (from_pretrained reads
    it)."""
    import asyncio

    from tunix_rt.registry import hf_export

    async def _go() -> hf_export.ModelExport:
        async with cli_session() as session:
            family, version = await hf_export.resolve(session=session, uri=uri)
        return await asyncio.to_thread(hf_export.write_folder, family, version, out)

    done = run(_go)
    typer.echo(f"wrote {done.name} ({done.files} files, with README.md model card) to {done.path}")
