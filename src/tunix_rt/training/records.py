"""The records both training backends share: how a run ended, a prediction, the run manifest.

``run_manifest.json`` (docs/training.md, "Run manifest") is one ``RunManifest`` whichever backend
wrote it; the registry and a tunix resume read it back through the same model.
"""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from tunix_rt import __version__
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.manifest_legacy import from_legacy

MANIFEST_FILE = "run_manifest.json"
Backend = Literal["torch", "tunix"]
# The libraries whose versions decide what a run of each backend computes.
LIBRARIES: dict[Backend, tuple[str, ...]] = {
    "torch": ("torch", "transformers", "tokenizers", "peft", "safetensors", "numpy"),
    "tunix": (
        "google-tunix",
        "jax",
        "jaxlib",
        "flax",
        "optax",
        "orbax-checkpoint",
        "qwix",
        "transformers",
        "tokenizers",
        "numpy",
    ),
}


class StopReason(StrEnum):
    """Why a run stopped."""

    MAX_STEPS = "max_steps"
    TIME_BUDGET = "time_budget"
    SIGNAL = "signal"


def stop_reason(
    *,
    signalled: bool,
    step: int,
    total_steps: int | None,
    clock: float,
    time_budget_s: float | None,
) -> StopReason | None:
    """Why a training loop stops before its next step, or ``None`` to go on (both recipes)."""
    if signalled:
        return StopReason.SIGNAL
    if total_steps is not None and step >= total_steps:
        return StopReason.MAX_STEPS
    if time_budget_s is not None and clock >= time_budget_s:
        return StopReason.TIME_BUDGET
    return None


@dataclass(frozen=True)
class TrainResult:
    """How a run ended."""

    step: int
    stop_reason: StopReason
    last_loss: float | None
    eval_loss: float | None
    elapsed_s: float


@dataclass(frozen=True)
class Prediction:
    """One generated answer (a line of ``predictions.jsonl``)."""

    id: str
    prompt: str
    prediction: str
    truncated: bool
    tokens: int


class TunixFacts(BaseModel):
    """What only a tunix run has."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    family: str  # the Tunix model family (gemma3, qwen3, llama3)
    batch_length: int  # every micro-batch is padded to this many tokens (one XLA compile)


class RunManifest(BaseModel):
    """``run_manifest.json``: what ran, on what data, with which code, and how it ended."""

    # Unknown keys are ignored so a manifest written by another version still reads.
    model_config = ConfigDict(extra="ignore", frozen=True)

    backend: Backend
    config: TrainConfig
    code_version: str  # the package version, "+<commit>" when run from a git checkout
    libraries: dict[str, str]  # python and the installed libraries of the backend
    data_sha256: str | None
    eval_data_sha256: str | None = None
    train_examples: int
    truncated_examples: int
    dropped_examples: int
    eval_examples: int
    model_source: str | None = None  # preset | pretrained (torch) | safetensors | tunix
    parameters: int
    trainable_parameters: int
    dtype: str | None = None  # of the weights (torch's bf16 autocasts float32 weights)
    devices: list[str]
    threads: int | None = None
    processes: int
    resumed_from_step: int
    started_at: datetime
    # Filled when the run stops; a run that was killed keeps them null.
    finished_at: datetime | None = None
    steps: int | None = None
    stop_reason: StopReason | None = None
    final_dir: str | None = None
    tunix: TunixFacts | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_keys(cls, doc: object) -> object:
        return from_legacy(doc) if isinstance(doc, dict) else doc

    def finished(self, result: TrainResult, final_dir: Path | None) -> RunManifest:
        """This manifest with the outcome of the run."""
        return self.model_copy(
            update={
                "finished_at": now(),
                "steps": result.step,
                "stop_reason": result.stop_reason,
                "final_dir": str(final_dir) if final_dir is not None else None,
            }
        )


def now() -> datetime:
    """The current time in UTC (manifest timestamps)."""
    return datetime.now(UTC)


def write_manifest(out_dir: Path, manifest: RunManifest) -> None:
    """Write ``run_manifest.json`` in ``out_dir``."""
    (out_dir / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n")


def read_manifest(out_dir: Path) -> RunManifest | None:
    """The run's manifest; None when there is none or it cannot be read as one."""
    try:
        return RunManifest.model_validate_json((out_dir / MANIFEST_FILE).read_bytes())
    except (OSError, ValidationError):
        return None


def code_version() -> str:
    """Package version plus the short git commit of the source tree when there is one."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


def library_versions(backend: Backend) -> dict[str, str]:
    """Python's version and those of the backend's libraries that are installed."""
    out = {"python": platform.python_version()}
    for name in LIBRARIES[backend]:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out
