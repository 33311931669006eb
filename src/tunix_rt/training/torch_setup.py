"""Setting up a PyTorch run: threads, seed, data, tokenizer, model (preset, local dir, LoRA)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from tunix_rt.errors import InvalidInput, Unavailable
from tunix_rt.training import records, tiny
from tunix_rt.training.batching import total_steps
from tunix_rt.training.config import (
    LOCAL_TOKENIZERS,
    REGISTRY_PREFIX,
    WORD_TOKENIZER,
    LoraConfig,
    TrainConfig,
)
from tunix_rt.training.data import (
    EncodedExample,
    EncodeStats,
    TraceRow,
    corpus_texts,
    encode_examples,
    file_sha256,
    load_rows,
)


@dataclass
class Setup:
    """Everything the training loop needs, built from the config."""

    cfg: TrainConfig
    out_dir: Path
    model: torch.nn.Module
    tokenizer: Any
    train: list[EncodedExample]
    eval: list[EncodedExample]
    device: torch.device
    total_steps: int | None  # optimizer steps; None when only the time budget bounds the run
    manifest: records.RunManifest  # as of the start of the run (resumed_from_step 0)


def default_threads() -> int:
    """Cores this process may use, capped: more threads than cores only thrash."""
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def _rows(cfg: TrainConfig) -> tuple[list[TraceRow], list[TraceRow]]:
    if cfg.data_path is None:
        raise InvalidInput(
            "data_path: this config names a dataset key; the platform exports it to a file "
            "(run it with `tunix-rt runs submit`), or set data_path to an exported JSONL file"
        )
    rows = load_rows(cfg.data_path)
    train = [r for r in rows if r.split == "train"]
    held = [r for r in rows if r.split == "eval"]
    if cfg.eval_data_path:
        held += load_rows(cfg.eval_data_path)
    if not train:
        raise InvalidInput(f"data_path: {cfg.data_path} has no training rows")
    if cfg.eval_every_steps and not held:
        raise InvalidInput("eval_every_steps: no eval rows (split=eval or eval_data_path)")
    return train, held


def _tokenizer(cfg: TrainConfig, rows: list[TraceRow], out_dir: Path, reuse: bool) -> Any:
    from transformers import AutoTokenizer

    saved = out_dir / "tokenizer"
    if reuse and saved.is_dir():
        return AutoTokenizer.from_pretrained(saved)
    if cfg.tokenizer not in (None, *LOCAL_TOKENIZERS):
        source = cfg.tokenizer
    elif cfg.is_preset:
        texts = corpus_texts(rows, template=cfg.template, style=cfg.style)
        words = cfg.tokenizer == WORD_TOKENIZER
        built = tiny.build_tokenizer(texts, template=cfg.template, style=cfg.style, words=words)
        built.save_pretrained(saved)
        source = str(saved)
    else:
        source = cfg.model
    try:
        tok = AutoTokenizer.from_pretrained(source, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"tokenizer: cannot load a tokenizer from {source}: {exc}") from None
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    if not saved.is_dir():
        tok.save_pretrained(saved)
    return tok


def _model(cfg: TrainConfig, tokenizer: Any) -> torch.nn.Module:
    from transformers import AutoModelForCausalLM

    if cfg.is_preset:
        return tiny.build_model(
            cfg.model,
            len(tokenizer),
            cfg.model_overrides,
            pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
    if cfg.model.startswith(REGISTRY_PREFIX):
        raise Unavailable(
            f"model: {cfg.model} is resolved by the platform (registry issue): the worker "
            "passes the version's local directory; standalone, give that directory as model"
        )
    if not Path(cfg.model).is_dir():
        raise InvalidInput(f"model: {cfg.model!r} is neither a preset nor a local directory")
    try:
        model: torch.nn.Module = AutoModelForCausalLM.from_pretrained(
            cfg.model, local_files_only=True
        )
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"model: cannot load {cfg.model}: {exc}") from None
    return model


def _lora(model: torch.nn.Module, lora: LoraConfig) -> torch.nn.Module:
    from peft import LoraConfig as PeftLoraConfig
    from peft import get_peft_model

    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    missing = sorted(set(lora.target_modules) - names)
    if missing:
        raise InvalidInput(f"lora.target_modules: the model has no {', '.join(missing)}")
    peft_cfg = PeftLoraConfig(
        r=lora.rank,
        lora_alpha=lora.alpha,  # type: ignore[arg-type]  # peft accepts floats
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, peft_cfg)


def setup(cfg: TrainConfig, *, reuse_tokenizer: bool) -> Setup:
    """Build the run from the config; every input problem surfaces here, before training.

    ``reuse_tokenizer`` (a resumed run, a data-parallel rank but the first) loads the tokenizer
    the run saved, when there is one, instead of training another.
    """
    if cfg.output_dir is None:
        raise InvalidInput("output_dir: required to run training")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out_dir = Path(cfg.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.num_threads or default_threads())
    torch.manual_seed(cfg.seed)
    train_rows, eval_rows = _rows(cfg)
    tokenizer = _tokenizer(cfg, train_rows + eval_rows, out_dir, reuse_tokenizer)
    model = _model(cfg, tokenizer)
    if cfg.lora is not None:
        model = _lora(model, cfg.lora)
    kw: dict[str, Any] = {
        "template": cfg.template,
        "style": cfg.style,
        "system": cfg.system_prompt,
        "max_seq_length": cfg.max_seq_length,
    }
    train, train_stats = encode_examples(train_rows, tokenizer, **kw)
    held, _ = encode_examples(eval_rows, tokenizer, **kw)
    if not train:
        raise InvalidInput("max_seq_length: every training example is longer than the limit")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    manifest = _manifest(cfg, model, train_stats, len(held), device)
    return Setup(
        cfg,
        out_dir,
        model.to(device),
        tokenizer,
        train,
        held,
        device,
        total_steps(cfg, len(train)),
        manifest,
    )


def _manifest(
    cfg: TrainConfig, model: torch.nn.Module, stats: EncodeStats, n_eval: int, dev: torch.device
) -> records.RunManifest:
    return records.RunManifest(
        backend="torch",
        config=cfg,
        code_version=records.code_version(),
        libraries=records.library_versions("torch"),
        data_sha256=file_sha256(cfg.data_path) if cfg.data_path else None,
        eval_data_sha256=file_sha256(cfg.eval_data_path) if cfg.eval_data_path else None,
        train_examples=stats.kept,
        truncated_examples=stats.truncated,
        dropped_examples=stats.dropped,
        eval_examples=n_eval,
        model_source="preset" if cfg.is_preset else "pretrained",
        parameters=sum(p.numel() for p in model.parameters()),
        trainable_parameters=sum(p.numel() for p in model.parameters() if p.requires_grad),
        dtype=str(next(model.parameters()).dtype).removeprefix("torch."),
        devices=[str(dev)],
        threads=torch.get_num_threads(),
        processes=cfg.processes,
        resumed_from_step=0,
        started_at=records.now(),
    )
