"""The training run config (interfaces.md §4): one frozen, validated, JSON-storable model.

Every key is honoured by a backend or refused here, naming the key. ``load_config`` turns
YAML/JSON files (or dicts from the API) into a ``TrainConfig`` and reports every problem at once
as an ``InvalidInput``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.training.rl.config import RlConfig, rl_problems


class Preset(StrEnum):
    """A tiny model built from a config with random weights (training/tiny.py)."""

    TINY_LLAMA = "tiny-llama"
    TINY_QWEN3 = "tiny-qwen3"
    TINY_GEMMA3 = "tiny-gemma3"


# The presets, and the module names each architecture has, so LoRA targets can be checked
# before any model is built.
PRESETS: tuple[str, ...] = tuple(p.value for p in Preset)
PRESET_MODULES = frozenset(
    {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"}
)
REGISTRY_PREFIX = "registry://"
CHAR_TOKENIZER = "char"
WORD_TOKENIZER = "words"
# Tokenizers a preset trains on its data (training/tiny.py); ``char`` when none is named.
LOCAL_TOKENIZERS = (CHAR_TOKENIZER, WORD_TOKENIZER)

# Keys that may change between a checkpoint and a resumed run, on either backend (they extend
# or observe the run; anything else would resume a different one).
RESUMABLE_CHANGES = frozenset(
    {
        "max_steps",
        "epochs",
        "time_budget_s",
        "log_every_steps",
        "eval_every_steps",
        "save_every_steps",
        "output_dir",
        "num_threads",
        "eval_set",
    }
)
# Keys added since runs were first checkpointed, with the value a checkpoint without them had.
ADDED_KEYS: dict[str, object] = {"algorithm": "sft", "rl": None}
# The validation context under which TrainConfig leaves the cross-key check to its caller.
_CHECKED_BY_CALLER = {"contradictions": "checked by the caller"}


def _same(value: Any) -> Any:
    return value


# A preset or a checkpoint (path, hub id, registry:// URI): validated as any non-empty string,
# described as "a Preset or a string" so the OpenAPI schema lists the presets (the UI offers them).
ModelName = Annotated[
    str,
    Field(min_length=1),
    BeforeValidator(_same, json_schema_input_type=Preset | str),
    PlainSerializer(_same, return_type=Preset | str),
]


class LoraConfig(BaseModel):
    """Low-rank adapters: peft on torch, qwix on tunix."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rank: int = Field(default=8, ge=1, le=1024)
    alpha: float = Field(default=16.0, gt=0)
    dropout: float = Field(default=0.0, ge=0.0, lt=1.0)
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")

    @model_validator(mode="after")
    def _targets_named(self) -> LoraConfig:
        if not self.target_modules or not all(t.strip() for t in self.target_modules):
            raise ValueError("target_modules must name at least one module")
        return self


class TrainConfig(BaseModel):
    """Everything that defines one SFT run; stored as JSON on the run row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["torch", "tunix"] = "torch"
    # sft imitates the traces; grpo learns from the judges as rewards (the rl: section).
    algorithm: Literal["sft", "grpo"] = "sft"
    model: ModelName
    model_overrides: dict[str, Any] | None = None
    tokenizer: str | None = None
    dataset: str | None = None
    data_path: str | None = None
    eval_data_path: str | None = None
    template: ChatTemplate = ChatTemplate.CHATML
    style: TraceStyle = TraceStyle.NUMBERED
    system_prompt: str | None = None
    max_seq_length: int = Field(default=512, ge=8, le=1_048_576)
    epochs: int | None = Field(default=None, ge=1)
    max_steps: int | None = Field(default=None, ge=1)
    time_budget_s: float | None = Field(default=None, gt=0)
    batch_size: int = Field(default=16, ge=1)
    gradient_accumulation_steps: int = Field(default=1, ge=1)
    learning_rate: float = Field(default=1e-3, gt=0, le=10.0)
    lr_schedule: Literal["cosine", "linear", "constant"] = "cosine"
    warmup_steps: int = Field(default=0, ge=0)
    weight_decay: float = Field(default=0.0, ge=0.0)
    optimizer: Literal["adamw", "sgd"] = "adamw"
    max_grad_norm: float | None = Field(default=1.0, gt=0)
    precision: Literal["fp32", "bf16"] = "fp32"
    seed: int = Field(default=0, ge=0)
    num_threads: int | None = Field(default=None, ge=1, le=1024)
    # Data-parallel processes on one CPU host (torch backend); each takes batch_size examples.
    processes: int = Field(default=1, ge=1, le=64)
    lora: LoraConfig | None = None
    log_every_steps: int = Field(default=10, ge=1)
    eval_every_steps: int | None = Field(default=None, ge=1)
    save_every_steps: int | None = Field(default=None, ge=1)
    output_dir: str | None = None
    eval_set: str | None = None
    rl: RlConfig | None = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> TrainConfig:
        if info.context is _CHECKED_BY_CALLER:
            return self  # load_config reports them itself, one Problem per key
        problems = contradictions(self)
        if problems:
            # Built directly (not through load_config): pydantic's error, for a person to read.
            raise ValueError("; ".join(str(p) for p in problems))
        return self

    @property
    def is_preset(self) -> bool:
        """Whether ``model`` names a random-weight preset rather than a checkpoint."""
        return self.model in PRESETS

    def with_data_file(self, path: Path | str) -> TrainConfig:
        """A validated copy that reads ``path`` instead of the ``dataset`` key."""
        doc = self.model_dump(mode="json")
        doc.update(dataset=None, data_path=str(path))
        return TrainConfig.model_validate(doc)


def contradictions(cfg: TrainConfig) -> list[Problem]:
    """Keys that cannot all hold at once, each named with why."""
    out: list[Problem] = []
    if cfg.epochs is None and cfg.max_steps is None and cfg.time_budget_s is None:
        out.append(Problem("max_steps", "set epochs, max_steps or time_budget_s"))
    if cfg.max_steps is not None and cfg.warmup_steps >= cfg.max_steps:
        out.append(Problem("warmup_steps", f"must be < max_steps ({cfg.max_steps})"))
    if (cfg.dataset is None) == (cfg.data_path is None):
        out.append(Problem("data_path", "set exactly one of dataset and data_path"))
    out.extend(_model_problems(cfg))
    if cfg.processes > 1 and cfg.backend == "tunix":
        out.append(Problem("processes", "the tunix backend spreads over its device mesh (use 1)"))
    if cfg.lora is not None:
        out.extend(_lora_problems(cfg, cfg.lora))
    out.extend(rl_problems(cfg))
    return out


def _model_problems(cfg: TrainConfig) -> list[Problem]:
    out: list[Problem] = []
    if cfg.model.startswith("tiny-") and not cfg.is_preset:
        out.append(Problem("model", f"unknown preset {cfg.model!r}; presets: {', '.join(PRESETS)}"))
    if cfg.model_overrides is not None and not cfg.is_preset:
        out.append(Problem("model_overrides", "only presets take config overrides"))
    if cfg.tokenizer in LOCAL_TOKENIZERS and not cfg.is_preset:
        out.append(
            Problem("tokenizer", f"a locally trained {cfg.tokenizer} tokenizer only fits a preset")
        )
    return out


def _lora_problems(cfg: TrainConfig, lora: LoraConfig) -> list[Problem]:
    out: list[Problem] = []
    if cfg.backend == "torch" and cfg.is_preset:
        unknown = sorted(set(lora.target_modules) - PRESET_MODULES)
        if unknown:
            out.append(
                Problem(
                    "lora.target_modules",
                    f"{', '.join(unknown)} not in {cfg.model} "
                    f"(has {', '.join(sorted(PRESET_MODULES))})",
                )
            )
    if cfg.backend == "tunix" and lora.dropout > 0:
        out.append(Problem("lora.dropout", "the tunix backend (qwix) has no LoRA dropout"))
    return out


def check_resumable(saved: Mapping[str, object], cfg: TrainConfig) -> None:
    """Refuse to resume a run whose saved config differs in a key outside RESUMABLE_CHANGES."""
    now = cfg.model_dump(mode="json")
    saved = {**ADDED_KEYS, **saved}
    changed = sorted(k for k in now if k not in RESUMABLE_CHANGES and saved.get(k) != now[k])
    if changed:
        raise InvalidInput(
            "config differs from the run being resumed",
            problems=[Problem(k, f"was {saved.get(k)!r}") for k in changed],
        )


def _field_problem(err: ErrorDetails) -> Problem:
    """pydantic's error for one field, as a Problem at that field's dotted path."""
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return Problem(loc, "unknown key")
    return Problem(loc, str(err["msg"]).removeprefix("Value error, "))


def load_config(source: Path | str | dict[str, Any]) -> TrainConfig:
    """A ``TrainConfig`` from a YAML/JSON file or a dict; ``InvalidInput`` names every bad key."""
    doc: Any = source
    if not isinstance(source, dict):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read config {path}: {exc.strerror}") from None
        try:
            doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise InvalidInput(f"config {path} is not valid YAML/JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidInput("a training config must be a mapping of keys to values")
    cfg, problems = _validate(doc)
    if cfg is None or problems:
        raise InvalidInput("invalid training config", problems=problems)
    return cfg


def config_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a config document, at each key's dotted path; empty when it is valid."""
    return _validate(doc)[1]


def _validate(doc: Mapping[str, Any]) -> tuple[TrainConfig | None, list[Problem]]:
    try:
        cfg = TrainConfig.model_validate(doc, context=_CHECKED_BY_CALLER)
    except ValidationError as exc:
        return None, [_field_problem(err) for err in exc.errors()]
    return cfg, contradictions(cfg)
