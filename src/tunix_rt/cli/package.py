"""``tunix-rt package RUN --out FILE.zip``: a finished run as a Tunix submission package."""

from __future__ import annotations

from pathlib import Path

import typer

from tunix_rt.cli.common import cli_session, load_settings, parse_run_id, run
from tunix_rt.packaging import service
from tunix_rt.packaging.service import PackageResult


def package(
    run_id: str = typer.Argument(..., metavar="RUN", help="A succeeded training run's id."),
    out: Path = typer.Option(..., "--out", "-o", help="The zip to write."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
) -> None:
    """Package a run: checkpoint, config, dataset manifest, scorecard, model card, notebook."""
    settings = load_settings()
    ident = parse_run_id(run_id)
    target = out.absolute()

    async def _go() -> PackageResult:
        async with cli_session(settings) as session:
            return await service.build_package(
                session=session, run_id=ident, out=target, force=force
            )

    result = run(_go)
    typer.echo(f"{result.sha256}  {result.path}")
    typer.echo(f"{result.file_count} files, {result.size_bytes} bytes", err=True)
