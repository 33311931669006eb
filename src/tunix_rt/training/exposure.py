"""What a training request may name and ask for (runs and sweeps share it).

Paths stay inside ``TUNIX_RT_HOME`` and ``TUNIX_RT_MODEL_ROOTS`` (``tunix_rt.paths``); the sizes
that decide memory and CPU stay within the server's caps (``TUNIX_RT_MAX_*``). Each refusal
names the key under ``prefix`` (``config`` for a run, ``base_config`` for a sweep).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunix_rt.errors import Problem
from tunix_rt.paths import file_problem, reference_problem
from tunix_rt.settings import Settings
from tunix_rt.training.config import LOCAL_TOKENIZERS, PRESETS, REGISTRY_PREFIX, TrainConfig

# Config key -> the setting that caps it.
_CAPS = {
    "batch_size": "max_batch_size",
    "max_seq_length": "max_seq_length",
    "processes": "max_processes",
}


def cap_problems(doc: Mapping[str, Any], settings: Settings, prefix: str) -> list[Problem]:
    """Sizes beyond the caps; every integer in ``model_overrides`` is capped by max_model_dim."""
    out: list[Problem] = []
    for key, setting in _CAPS.items():
        value, cap = doc.get(key), getattr(settings, setting)
        if isinstance(value, int | float) and value > cap:
            env = f"TUNIX_RT_{setting.upper()}"
            out.append(Problem(f"{prefix}.{key}", f"must be <= {cap} on this server ({env})"))
    overrides = doc.get("model_overrides")
    if isinstance(overrides, Mapping):
        for key, value in overrides.items():
            if isinstance(value, int) and value > settings.max_model_dim:
                out.append(
                    Problem(
                        f"{prefix}.model_overrides.{key}",
                        f"must be <= {settings.max_model_dim} (TUNIX_RT_MAX_MODEL_DIM)",
                    )
                )
    return out


def path_problems(doc: Mapping[str, Any], settings: Settings, prefix: str) -> list[Problem]:
    """Every path a config document names, confined; ``output_dir`` is the server's to choose.
    Reads the document itself, so a config invalid for other reasons is still checked."""
    out: list[Problem] = []
    text = {k: v for k, v in doc.items() if isinstance(v, str)}
    if doc.get("output_dir") is not None:
        out.append(
            Problem(f"{prefix}.output_dir", "set by the server: a run writes to its run dir")
        )
    for key in ("data_path", "eval_data_path"):
        if key in text:
            found = file_problem(f"{prefix}.{key}", text[key], settings)
            out.extend([found] if found else [])
    model = text.get("model", "")
    if model and not model.startswith(REGISTRY_PREFIX):
        found = reference_problem(f"{prefix}.model", model, settings, names=set(PRESETS))
        out.extend([found] if found else [])
    if "tokenizer" in text:
        names = set(LOCAL_TOKENIZERS)
        found = reference_problem(f"{prefix}.tokenizer", text["tokenizer"], settings, names=names)
        out.extend([found] if found else [])
    return out


def request_problems(cfg: TrainConfig, settings: Settings, prefix: str) -> list[Problem]:
    """Paths and caps together: what ``POST /api/tunix/run`` and a new sweep both check."""
    doc = cfg.model_dump()
    return path_problems(doc, settings, prefix) + cap_problems(doc, settings, prefix)
