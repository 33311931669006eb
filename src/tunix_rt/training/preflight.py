"""Checks a run's model, tokenizer and sequence length before any work starts (pure, no db).

Training only ever reads local files: a name that is neither a preset, a local directory nor a
``registry://`` URI (a hub name) is refused here with a problem saying nothing is downloaded,
instead of failing in the worker after it tried to reach the hub.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunix_rt.errors import Problem
from tunix_rt.training import tiny
from tunix_rt.training.config import LOCAL_TOKENIZERS, PRESETS, WORD_TOKENIZER, TrainConfig
from tunix_rt.training.data import TraceRow, corpus_texts, render_rows

# Files that make a directory a loadable Hugging Face model / tokenizer.
MODEL_FILES = ("config.json",)
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json")
NOT_DOWNLOADED = "nothing is downloaded: give a local directory or register the model"


@dataclass(frozen=True)
class Resolved:
    """What the model and tokenizer resolve to, in words, or the problems found."""

    checks: list[str]
    problems: list[Problem]


def _has_any(directory: Path, names: Sequence[str]) -> bool:
    return any((directory / name).is_file() for name in names)


def resolve(cfg: TrainConfig, model_dir: str | None) -> Resolved:
    """The model (a preset, or ``model_dir``: the local or registry-resolved directory) and its
    tokenizer. ``model_dir`` is None for a preset and for a ``registry://`` URI not resolved."""
    checks: list[str] = []
    problems: list[Problem] = []
    if cfg.is_preset:
        checks.append(f"model {cfg.model}: preset (random weights, built here)")
    elif model_dir is None or not Path(model_dir).is_dir():
        msg = f"{cfg.model!r} is not a preset ({', '.join(PRESETS)}), a local directory or a "
        problems.append(Problem("config.model", msg + f"registry:// URI; {NOT_DOWNLOADED}"))
    elif not _has_any(Path(model_dir), MODEL_FILES):
        problems.append(Problem("config.model", f"{model_dir} has no config.json: not a model"))
    else:
        where = "" if model_dir == cfg.model else f" -> {model_dir}"
        checks.append(f"model {cfg.model}{where}: local directory")
    tok = cfg.tokenizer
    if tok in LOCAL_TOKENIZERS or (tok is None and cfg.is_preset):
        checks.append(f"tokenizer: {tok or 'char'}, trained here on the dataset")
    elif tok is not None:
        if Path(tok).is_dir() and _has_any(Path(tok), TOKENIZER_FILES):
            checks.append(f"tokenizer: {tok} (local directory)")
        else:
            problems.append(
                Problem("config.tokenizer", f"{tok!r} is not a local tokenizer directory; "
                        "nothing is downloaded")
            )  # fmt: skip
    elif model_dir is not None and Path(model_dir).is_dir():
        if _has_any(Path(model_dir), TOKENIZER_FILES):
            checks.append("tokenizer: the model directory's")
        else:
            msg = f"{model_dir} has no tokenizer files: set tokenizer to a local directory"
            problems.append(Problem("config.tokenizer", msg))
    return Resolved(checks, problems)


@dataclass(frozen=True)
class LengthFit:
    """How the training examples fit ``max_seq_length`` (in the run's tokens)."""

    examples: int
    whole: int  # fit entirely
    dropped: int  # the prompt alone fills the limit: no completion token would be learned
    shortest_prompt: int


def load_tokenizer(cfg: TrainConfig, model_dir: str | None, rows: Sequence[TraceRow]) -> Any:
    """The tokenizer training will use (a preset's is trained on ``rows`` as training does)."""
    from transformers import AutoTokenizer

    if cfg.tokenizer in (None, *LOCAL_TOKENIZERS) and cfg.is_preset:
        texts = corpus_texts(list(rows), template=cfg.template, style=cfg.style)
        words = cfg.tokenizer == WORD_TOKENIZER
        return tiny.build_tokenizer(texts, template=cfg.template, style=cfg.style, words=words)
    return AutoTokenizer.from_pretrained(cfg.tokenizer or model_dir, local_files_only=True)


def length_fit(cfg: TrainConfig, rows: Sequence[TraceRow], tokenizer: Any) -> LengthFit:
    """Count examples whose prompt leaves room for completion tokens, as training encodes them."""
    prompts, completions = render_rows(
        list(rows), template=cfg.template, style=cfg.style, system=cfg.system_prompt
    )
    p_ids = tokenizer(prompts, add_special_tokens=True)["input_ids"]
    c_ids = tokenizer(completions, add_special_tokens=False)["input_ids"]
    limit = cfg.max_seq_length
    lengths = [(len(p), len(p) + len(c)) for p, c in zip(p_ids, c_ids, strict=True)]
    return LengthFit(
        examples=len(lengths),
        whole=sum(1 for _, total in lengths if total <= limit),
        dropped=sum(1 for prompt, _ in lengths if prompt >= limit),
        shortest_prompt=min((prompt for prompt, _ in lengths), default=0),
    )


def fit_problems(cfg: TrainConfig, fit: LengthFit) -> list[Problem]:
    """``max_seq_length`` refused by name when no example would keep a completion token."""
    if fit.examples == 0 or fit.dropped < fit.examples:
        return []
    msg = (
        f"{cfg.max_seq_length} is too small for every training example: the shortest prompt "
        f"is {fit.shortest_prompt} tokens; use at least {fit.shortest_prompt + 1}"
    )
    return [Problem("config.max_seq_length", msg)]
