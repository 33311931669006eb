"""The run's outputs besides checkpoints: the ``final/`` model and its ``RunManifest``."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import jax
from flax import nnx

from tunix_rt.training import records
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.data import EncodeStats, file_sha256
from tunix_rt.training.tunix_backend import export, models
from tunix_rt.training.tunix_backend.setup import Source


def save_final_model(
    final_dir: Path, config: TrainConfig, source: Source, model: Any, tokenizer: Any, step: int
) -> Path:
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
    return final_dir


def run_manifest(
    config: TrainConfig,
    *,
    source: Source,
    model: Any,
    stats: EncodeStats,
    n_eval: int,
    length: int,
    resumed_from: int,
    started: datetime,
) -> records.RunManifest:
    """The run's ``RunManifest`` (the same schema the torch recipe writes), before its outcome."""
    assert config.data_path is not None
    devices = jax.devices()
    return records.RunManifest(
        backend="tunix",
        config=config,
        code_version=records.code_version(),
        libraries=records.library_versions("tunix"),
        data_sha256=file_sha256(config.data_path),
        eval_data_sha256=file_sha256(config.eval_data_path) if config.eval_data_path else None,
        train_examples=stats.kept,
        truncated_examples=stats.truncated,
        dropped_examples=stats.dropped,
        eval_examples=n_eval,
        model_source=source.kind,
        parameters=models.param_count(model, nnx.All(nnx.Param, nnx.Not(nnx.LoRAParam))),
        trainable_parameters=models.param_count(model, nnx.LoRAParam if config.lora else nnx.Param),
        dtype="bfloat16" if config.precision == "bf16" else "float32",
        devices=[str(d) for d in devices],
        threads=config.num_threads,
        processes=config.processes,
        resumed_from_step=resumed_from,
        started_at=started,
        tunix=records.TunixFacts(family=source.family.name, batch_length=length),
    )
