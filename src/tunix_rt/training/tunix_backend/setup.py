"""What a tunix run is made of, resolved from the config before JAX does any work.

Validation here refuses every key the tunix backend cannot honour, naming the key, before
a model is built; the source resolution finds the model family and tokenizer for a preset,
a Hugging Face safetensors directory, or the ``final/`` directory of an earlier tunix run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax.numpy as jnp

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.errors import InvalidInput, InvalidState, Problem
from tunix_rt.training import data, records, tiny
from tunix_rt.training.batching import total_steps
from tunix_rt.training.config import (
    LOCAL_TOKENIZERS,
    REGISTRY_PREFIX,
    WORD_TOKENIZER,
    TrainConfig,
    check_resumable,
)
from tunix_rt.training.tunix_backend import batches, models
from tunix_rt.training.tunix_backend.export import META_FILE, read_meta

# The transformers config keys the Tunix translation reads (kept in tunix_rt.json).
_HF_KEYS = (
    "model_type",
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "rms_norm_eps",
    "tie_word_embeddings",
    "sliding_window",
    "query_pre_attn_scalar",
    "rope_parameters",
    "rope_theta",
)


@dataclass(frozen=True)
class Source:
    """Where the initial weights come from: a preset, HF safetensors, or a tunix final dir."""

    kind: str  # "preset" | "safetensors" | "tunix"
    family: models.Family
    hf_config: dict[str, Any]
    path: Path | None


def validate(config: TrainConfig) -> None:
    """Refuse, naming each key, what this backend cannot do with ``config``."""
    problems: list[Problem] = []
    if config.backend != "tunix":
        problems.append(Problem("backend", "this is the tunix backend"))
    if config.output_dir is None:
        problems.append(Problem("output_dir", "required to run"))
    if config.data_path is None:
        problems.append(Problem("dataset", "export the dataset to a file and set data_path"))
    if config.model.startswith(REGISTRY_PREFIX):
        problems.append(Problem("model", "resolve registry:// to a model directory first"))
    cores = os.cpu_count() or 1
    if config.num_threads is not None and config.num_threads not in (1, cores):
        problems.append(Problem("num_threads", f"XLA on CPU runs on 1 thread or all {cores} cores"))
    problems.extend(_lora_name_problems(config))
    if problems:
        raise InvalidInput("config not supported by the tunix backend", problems=problems)
    models.check_overrides(config.model_overrides)


def _lora_name_problems(config: TrainConfig) -> list[Problem]:
    # Presets are checked by name up front; other models once built (models.lora_targets).
    if config.lora is None or not config.is_preset:
        return []
    family = models.FAMILIES[models.PRESET_FAMILY[config.model]]
    known = set(family.lora_modules) | {n for names in family.lora_modules.values() for n in names}
    if (config.model_overrides or {}).get("tie_word_embeddings") is not False:
        known.discard("lm_head")  # the presets tie embeddings: there is no lm_head
    unknown = [t for t in config.lora.target_modules if t not in known]
    return [
        Problem("lora.target_modules", f"{t!r} is not a module of Tunix {family.name}")
        for t in unknown
    ]


def apply_num_threads(num_threads: int | None) -> None:
    """Pin XLA's CPU thread pool; only possible before JAX starts its backend."""
    if num_threads != 1:
        return
    from jax._src import xla_bridge

    flag = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    current = os.environ.get("XLA_FLAGS", "")
    if flag in current:
        return
    if xla_bridge.backends_are_initialized():
        raise InvalidState("num_threads: JAX already started in this process; run in a new one")
    os.environ["XLA_FLAGS"] = f"{current} {flag}".strip()


def _hf_subset(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in _HF_KEYS if doc.get(k) is not None}


def resolve_source(config: TrainConfig, tokenizer: Any) -> Source:
    """The model family and config for ``config.model``."""
    if config.is_preset:
        family = models.FAMILIES[models.PRESET_FAMILY[config.model]]
        hf = tiny.preset_config(config.model, len(tokenizer), config.model_overrides)
        return Source("preset", family, _hf_subset(hf.to_dict()), None)
    path = Path(config.model)
    if (path / META_FILE).exists() and read_meta(path).get("backend") == "tunix":
        meta = read_meta(path)
        return Source("tunix", models.FAMILIES[meta["family"]], meta["model_config"], path)
    try:
        doc = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidInput(
            f"model: {config.model} is neither a preset nor a model directory"
        ) from None
    family_name = models.HF_MODEL_TYPE_FAMILY.get(str(doc.get("model_type")))
    if family_name is None:
        raise InvalidInput(f"model: model_type {doc.get('model_type')!r} has no Tunix family here")
    return Source("safetensors", models.FAMILIES[family_name], _hf_subset(doc), path)


def load_tokenizer(config: TrainConfig, rows: list[data.TraceRow]) -> Any:
    """A char or word tokenizer trained on the data for presets, else the directory's one."""
    if config.is_preset and config.tokenizer in (None, *LOCAL_TOKENIZERS):
        texts = data.corpus_texts(rows, template=config.template, style=config.style)
        words = config.tokenizer == WORD_TOKENIZER
        return tiny.build_tokenizer(
            texts, template=config.template, style=config.style, words=words
        )
    from transformers import AutoTokenizer

    where = config.tokenizer or config.model
    try:
        tok = AutoTokenizer.from_pretrained(where, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"tokenizer: cannot load from {where}: {exc}") from None
    if tok.pad_token_id is None:
        raise InvalidInput(f"tokenizer: {where} has no pad token")
    return tok


def split_rows(config: TrainConfig) -> tuple[list[data.TraceRow], list[data.TraceRow]]:
    """Train rows, and eval rows (``split: eval`` rows plus ``eval_data_path``)."""
    assert config.data_path is not None
    rows = data.load_rows(config.data_path)
    train = [r for r in rows if r.split == "train"]
    held = [r for r in rows if r.split == "eval"]
    if config.eval_data_path is not None:
        held.extend(data.load_rows(config.eval_data_path))
    if not train:
        raise InvalidInput(f"data_path: {config.data_path} has no training rows")
    return train, held


def encode(
    config: TrainConfig, rows: list[data.TraceRow], tokenizer: Any
) -> tuple[list[data.EncodedExample], data.EncodeStats]:
    """Rows -> token ids with the completion-only loss mask."""
    return data.encode_examples(
        rows,
        tokenizer,
        template=ChatTemplate(config.template),
        style=TraceStyle(config.style),
        system=config.system_prompt,
        max_seq_length=config.max_seq_length,
    )


def check_resume(config: TrainConfig, out: Path, resume: bool) -> None:
    """A fresh run must not reuse checkpoints; a resumed one must be the same run."""
    ckpt_dir = out / "checkpoints"
    if not resume and ckpt_dir.exists() and any(ckpt_dir.iterdir()):
        raise InvalidInput(
            f"output_dir: {ckpt_dir} already holds checkpoints; pass --resume or use a new dir"
        )
    # No earlier manifest (a first run, or one that was killed): nothing to compare.
    before = records.read_manifest(out)
    if resume and before is not None:
        check_resumable(before.config.model_dump(mode="json"), config)


@dataclass(frozen=True)
class Prepared:
    """Everything resolved before JAX builds anything."""

    out: Path
    tokenizer: Any
    source: Source
    train: list[data.EncodedExample]
    eval: list[data.EncodedExample]
    stats: data.EncodeStats
    length: int
    total: int | None


def prepare(config: TrainConfig, *, resume: bool) -> Prepared:
    """Validate, load and encode the data, train the tokenizer, and resolve the model source."""
    validate(config)
    apply_num_threads(config.num_threads)
    assert config.output_dir is not None
    out = Path(config.output_dir)
    check_resume(config, out, resume)
    train_rows, eval_rows = split_rows(config)
    tokenizer = load_tokenizer(config, train_rows + eval_rows)
    source = resolve_source(config, tokenizer)
    models.tunix_config(source.family, source.hf_config, dtype=jnp.float32)  # refuse early
    train_ex, stats = encode(config, train_rows, tokenizer)
    eval_ex, _ = encode(config, eval_rows, tokenizer)
    if not train_ex:
        raise InvalidInput("max_seq_length: every training example was cut to nothing")
    length = batches.batch_length(train_ex + eval_ex, config.max_seq_length)
    total = total_steps(config, len(train_ex))
    return Prepared(out, tokenizer, source, train_ex, eval_ex, stats, length, total)
