"""Plain factory functions for rows other domains' tests need (no mocks of our own code)."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.runs.models import Run, RunStatus


async def make_run(
    session: AsyncSession, root: Path, *, status: str = RunStatus.SUCCEEDED, weights: bytes = b"w1"
) -> Run:
    """A run row whose directory holds a ``final/`` model, as the training recipe leaves it."""
    run_id = uuid.uuid4()
    run_dir = root / "runs" / str(run_id)
    (run_dir / "final").mkdir(parents=True)
    (run_dir / "final" / "model.safetensors").write_bytes(weights)
    (run_dir / "final" / "config.json").write_text('{"n_layer": 2}')
    (run_dir / "run_manifest.json").write_text('{"dataset_sha256": "abc", "code_version": "t"}')
    run = Run(
        id=run_id,
        name="tiny",
        kind="train",
        status=status,
        config={"model": "tiny-llama"},
        dataset_key="arith@1",
        run_dir=str(run_dir),
    )
    session.add(run)
    await session.flush()
    return run
