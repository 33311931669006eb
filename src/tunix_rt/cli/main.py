"""The ``tunix-rt`` root command: ``serve``, ``db`` and one sub-command group per domain."""

from __future__ import annotations

import logging
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from tunix_rt import __version__
from tunix_rt.cli import audit as audit_cli
from tunix_rt.cli import budget as budget_cli
from tunix_rt.cli import datasets as datasets_cli
from tunix_rt.cli import demo as demo_cli
from tunix_rt.cli import eval_export as eval_export_cli
from tunix_rt.cli import evalsets as evalsets_cli
from tunix_rt.cli import evaluation as evaluation_cli
from tunix_rt.cli import package as package_cli
from tunix_rt.cli import registry as registry_cli
from tunix_rt.cli import regression as regression_cli
from tunix_rt.cli import runs as runs_cli
from tunix_rt.cli import seed as seed_cli
from tunix_rt.cli import tokens as tokens_cli
from tunix_rt.cli import traces as traces_cli
from tunix_rt.cli import train as train_cli
from tunix_rt.cli import tuning as tuning_cli
from tunix_rt.cli.common import load_settings, run
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine


class RootGroup(TyperGroup):
    """The root group; ``eval budget EVAL_ID ...`` is the ``eval-budget`` command.

    ``eval`` is one command whose optional argument is a run id (a UUID), so the word ``budget``
    in that place can only mean the sub-command: the arguments are rewritten before parsing.
    """

    # ``ctx``: the click Context that typer vendors (not a public name; typed ``Any`` here).
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """``eval budget ...`` becomes ``eval-budget ...``; anything else is parsed as is."""
        if args[:2] == ["eval", "budget"]:
            args = ["eval-budget", *args[2:]]
        return super().parse_args(ctx, args)


EVAL_EPILOG = (
    "Budget analytics of a stored evaluation: tunix-rt eval budget EVAL_ID [--budget N] "
    "[--judge NAME] [--json] (also spelled tunix-rt eval-budget)."
)

app = typer.Typer(
    cls=RootGroup,
    name="tunix-rt",
    help="Tunix RT: reasoning traces, datasets, training, evaluation and model registry.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(traces_cli.app, name="traces")
app.add_typer(runs_cli.app, name="runs")
app.command("worker")(runs_cli.worker)
app.add_typer(evalsets_cli.app, name="evalsets")
app.add_typer(registry_cli.app, name="models")
app.add_typer(tuning_cli.app, name="tune")
app.command("demo")(demo_cli.demo)
app.command("train")(train_cli.train)
app.command("generate")(train_cli.generate)
app.add_typer(datasets_cli.app, name="datasets")
app.command("seed")(seed_cli.seed)
app.command("eval", epilog=EVAL_EPILOG)(evaluation_cli.eval_command)
app.command("eval-export")(eval_export_cli.export_command)
app.command("eval-budget")(budget_cli.budget_command)  # also ``eval budget`` (RootGroup)
app.command("compare")(evaluation_cli.compare_command)
app.add_typer(regression_cli.app, name="regression")
app.add_typer(tokens_cli.app, name="tokens")
app.command("audit")(audit_cli.audit)
app.command("package")(package_cli.package)


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default TUNIX_RT_HOST)."),
    port: int | None = typer.Option(None, help="Port (default TUNIX_RT_PORT, 8000)."),
    workers: int | None = typer.Option(
        None, "--workers", help="In-process job workers (default TUNIX_RT_WORKERS)."
    ),
    no_worker: bool = typer.Option(False, "--no-worker", help="Run no in-process workers."),
) -> None:
    """Serve the HTTP API and web UI; the embedded SQLite database migrates itself."""
    import uvicorn

    from tunix_rt.api.app import create_app

    settings = load_settings()
    overrides: dict[str, object] = {}
    if workers is not None or no_worker:
        overrides["workers"] = 0 if no_worker else workers
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    if overrides:
        settings = settings.model_copy(update=overrides)
    typer.echo(tokens_cli.serve_auth_notice(settings), err=True)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="Target revision.")) -> None:
    """Apply database migrations (to all heads by default)."""
    settings = load_settings()

    async def _go() -> None:
        engine = create_engine(settings.resolved_database_url)
        try:
            await migrate.upgrade(engine, revision)
        finally:
            await engine.dispose()

    run(_go)
    typer.echo(f"database at {revision}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        sys.exit(0)
