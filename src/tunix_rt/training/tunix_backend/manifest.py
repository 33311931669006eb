"""The run's outputs besides checkpoints: the ``final/`` model and ``run_manifest.json``."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import jax
from flax import nnx

import tunix_rt
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.data import EncodeStats, file_sha256
from tunix_rt.training.tunix_backend import export, models
from tunix_rt.training.tunix_backend.setup import Source

LIBRARIES = (
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
)


def library_versions() -> dict[str, str | None]:
    """Installed versions of the libraries a tunix run depends on."""
    out: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def code_version() -> dict[str, str | None]:
    """The package version and, when run from a git checkout, its commit."""
    here = Path(__file__).parent
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return {"tunix_rt": tunix_rt.__version__, "git_commit": sha or None}


def save_final_model(
    final_dir: Path, config: TrainConfig, source: Source, model: Any, tokenizer: Any, step: int
) -> dict[str, Any]:
    """Export the trained model (LoRA merged in) with its tokenizer and rendering settings."""
    if config.lora is not None:
        params = models.merged_params(model, config.lora)
    else:
        params = nnx.state(model, nnx.Param).to_pure_dict()
    # Re-exporting after a resume replaces the previous export rather than mixing with it.
    shutil.rmtree(final_dir / export.CHECKPOINT_DIR, ignore_errors=True)
    meta = {
        "template": str(config.template),
        "style": str(config.style),
        "system_prompt": config.system_prompt,
        "eos_token": tokenizer.eos_token,
        "base_model": config.model,
        "max_seq_length": config.max_seq_length,
        "step": step,
        "lora_merged": config.lora.model_dump(mode="json") if config.lora else None,
    }
    dtype = "bfloat16" if config.precision == "bf16" else "float32"
    export.save_final(
        final_dir,
        family=source.family,
        params=params,
        hf_config=source.hf_config,
        dtype=dtype,
        meta=meta,
    )
    tokenizer.save_pretrained(str(final_dir))
    return {"dir": str(final_dir), "family": source.family.name, "step": step}


def write_run_manifest(
    out: Path,
    config: TrainConfig,
    *,
    source: Source,
    model: Any,
    stats: EncodeStats,
    n_eval: int,
    length: int,
    steps: int,
    resumed_from: int,
    started: float,
    final: dict[str, Any] | None,
) -> None:
    """``run_manifest.json``: config, data fingerprint, code and library versions, outcome."""
    assert config.data_path is not None
    doc = {
        "backend": "tunix",
        "config": config.model_dump(mode="json"),
        "dataset_sha256": file_sha256(config.data_path),
        "eval_dataset_sha256": file_sha256(config.eval_data_path)
        if config.eval_data_path
        else None,
        "code": code_version(),
        "libraries": library_versions(),
        "python": platform.python_version(),
        "devices": [str(d) for d in jax.devices()],
        "model": {
            "source": source.kind,
            "family": source.family.name,
            "params": models.param_count(model, nnx.All(nnx.Param, nnx.Not(nnx.LoRAParam))),
            "trainable_params": models.param_count(
                model, nnx.LoRAParam if config.lora else nnx.Param
            ),
        },
        "data": {
            "train_examples": stats.kept,
            "truncated": stats.truncated,
            "dropped": stats.dropped,
            "eval_examples": n_eval,
            "batch_length": length,
        },
        "steps": steps,
        "resumed_from_step": resumed_from,
        "started_at": started,
        "finished_at": time.time(),
        "final": final,
    }
    (out / "run_manifest.json").write_text(json.dumps(doc, indent=2) + "\n")
