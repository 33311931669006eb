"""``tunix-rt train`` and ``tunix-rt generate``: the training recipe and generation, in-process."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import typer

from tunix_rt.cli.common import EXIT_CODES, cli_session, fail, run
from tunix_rt.errors import TunixRtError


def train(
    config: Path = typer.Option(..., "--config", help="YAML or JSON training config."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the latest checkpoint."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Resolve the model and tokenizer, check lengths; train nothing."
    ),
) -> None:
    """Run one training recipe (no database needed); see docs/training.md."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from tunix_rt.training.__main__ import EXIT_SIGNAL, run_training
    from tunix_rt.training.config import load_config

    if dry_run:
        _dry_run(config)
        return
    try:
        cfg = load_config(config)
        if cfg.rl is not None and cfg.rl.init_from and not Path(cfg.rl.init_from).is_dir():
            cfg = run(lambda: _resolve_init_from(cfg))  # a run id or registry:// URI
        reason = run_training(cfg, resume=resume)
    except TunixRtError as exc:
        raise _failure(exc) from None
    if reason == "signal":
        raise typer.Exit(EXIT_SIGNAL)


def generate(
    model: str = typer.Option(
        ...,
        "--model",
        help="A trained model directory (final/, torch or tunix) or registry://family[/alias|label].",
    ),
    eval_set: str | None = typer.Option(None, "--eval-set", help="Eval set name (database)."),
    eval_file: Path | None = typer.Option(None, "--eval-file", help="JSONL with id and prompt."),
    out: Path = typer.Option(Path("predictions.jsonl"), "--out", help="Where to write."),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens", min=1),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    temperature: float = typer.Option(0.0, "--temperature", min=0.0, help="0 = greedy."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Generate predictions.jsonl for an eval set or file, rendered as in training."""
    if (eval_set is None) == (eval_file is None):
        raise fail("give exactly one of --eval-set and --eval-file", 2)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from tunix_rt.training import generate as gen

    kw: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "batch_size": batch_size,
        "temperature": temperature,
        "seed": seed,
    }
    model_dir = _registry_model_dir(model) if _is_registry_uri(model) else Path(model)
    with tempfile.TemporaryDirectory() as tmp:
        source = eval_file or Path(tmp) / "eval.jsonl"
        if eval_set is not None:
            run(lambda: _write_eval_set(eval_set, source))
        try:
            gen.run(model_dir, source, out, **kw)
        except TunixRtError as exc:
            raise _failure(exc) from None


def _dry_run(config: Path) -> None:
    """What ``POST /api/tunix/run`` checks before it queues a run, printed (exit 2 on a problem);
    the database is opened only for a dataset key or a registry model."""
    from tunix_rt.errors import InvalidInput
    from tunix_rt.jobs.train_check import check_model_and_length, needs_database
    from tunix_rt.training.config import load_config

    async def check() -> list[str]:
        cfg = load_config(config)
        if needs_database(cfg):
            async with cli_session() as session:
                resolved = await check_model_and_length(session=session, cfg=cfg)
        else:
            resolved = await check_model_and_length(session=None, cfg=cfg)
        if resolved.problems:
            raise InvalidInput("invalid training config", problems=resolved.problems)
        return ["config valid", *resolved.checks]

    for line in run(check):
        typer.echo(line)


async def _resolve_init_from(cfg: Any) -> Any:
    """``rl.init_from`` (a run id or registry URI) as its model directory, from the database."""
    from tunix_rt.jobs import grpo

    async with cli_session() as session:
        return await grpo.resolved_config(session=session, cfg=cfg)


def _failure(exc: TunixRtError) -> typer.Exit:
    code = next((c for cls, c in EXIT_CODES.items() if isinstance(exc, cls)), 1)
    return fail(str(exc), code)


def _is_registry_uri(model: str) -> bool:
    from tunix_rt.training.config import REGISTRY_PREFIX

    return model.startswith(REGISTRY_PREFIX)


def _registry_model_dir(uri: str) -> Path:
    """The store directory of the version a ``registry://`` URI names (database via settings)."""
    from tunix_rt.registry import service as registry_service

    async def resolve() -> tuple[str, str, str]:
        async with cli_session() as session:
            version = await registry_service.resolve_uri(session=session, uri=uri)
        return version.storage_path, version.label, version.sha256

    stored, label, sha256 = run(resolve)
    path = Path(stored)
    if not path.is_dir():
        raise fail(f"{uri}: version {label}'s stored files are missing ({path})", 4)
    typer.echo(f"model {uri}: version {label}, sha256 {sha256}")
    return path


async def _write_eval_set(name: str, path: Path) -> None:
    from tunix_rt.datasets import evalsets

    async with cli_session() as session:
        await evalsets.write_eval_file(session=session, name=name, path=path)
