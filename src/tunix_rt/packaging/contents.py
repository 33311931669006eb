"""What a package holds, file by file (filesystem reads only, no database).

Every JSON document is written with sorted keys and a trailing newline, and nothing records
the time of packaging, so the same run always gives the same entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunix_rt import __version__
from tunix_rt.datasets.render import style_tokens
from tunix_rt.errors import InvalidState
from tunix_rt.evaluation.scorecard import Scorecard
from tunix_rt.packaging import card, notebook
from tunix_rt.packaging.archive import Entry, tree_entries
from tunix_rt.packaging.layout import (
    CONFIG,
    EVAL_DATA,
    EVAL_SET,
    FORMAT,
    INDEX,
    METRICS,
    MODEL_DIR,
    ORBAX_DIR,
    SCORECARD,
    TRAIN_DATA,
)
from tunix_rt.training import records
from tunix_rt.training.config import TrainConfig


@dataclass(frozen=True)
class EvaluationPart:
    """The run's latest successful evaluation: its scorecard and (if still stored) its items."""

    evaluation_id: str
    eval_set: str
    judges: list[str]
    primary_judge: str
    seed: int
    scorecard: Scorecard
    items_jsonl: bytes | None


@dataclass(frozen=True)
class PackageSource:
    """A finished run's parts, checked, ready to be written."""

    run_id: str
    run_name: str
    run_dir: Path
    manifest: records.RunManifest
    model_meta: dict[str, Any]
    data_file: Path
    eval_data_file: Path | None
    dataset_manifest: dict[str, Any]
    evaluation: EvaluationPart | None

    @property
    def config(self) -> TrainConfig:
        """The config the run trained with."""
        return self.manifest.config

    @property
    def checkpoint_format(self) -> str:
        """``orbax`` for a Tunix run, ``safetensors`` for a torch run."""
        return "orbax" if self.manifest.backend == "tunix" else "safetensors"


def check_checkpoint(model_dir: Path, backend: str, meta: dict[str, Any]) -> None:
    """Refuse a final model without its weights in the backend's format."""
    if backend == "tunix":
        orbax = model_dir / str(meta.get("checkpoint", ORBAX_DIR))
        if meta.get("backend") != "tunix" or not orbax.is_dir():
            raise InvalidState(f"{model_dir} holds no Orbax checkpoint")
    elif not any(model_dir.glob("*.safetensors")):
        raise InvalidState(f"{model_dir} holds no safetensors weights")


def dumps(doc: Any) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, trailing newline."""
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def output_format(cfg: TrainConfig) -> dict[str, Any]:
    """The trained output format: style, template, and the tags the model writes."""
    return {
        "style": cfg.style.value,
        "template": cfg.template.value,
        "tags": style_tokens(cfg.style),
        "system_prompt": cfg.system_prompt,
    }


def _data_entries(source: PackageSource) -> list[Entry]:
    found = [
        Entry("dataset/manifest.json", dumps(source.dataset_manifest)),
        Entry(TRAIN_DATA, source=source.data_file),
    ]
    if source.eval_data_file is not None:
        found.append(Entry(EVAL_DATA, source=source.eval_data_file))
    return found


def _run_entries(source: PackageSource) -> list[Entry]:
    found = [
        Entry(CONFIG, dumps(source.config.model_dump(mode="json"))),
        Entry("run/run_manifest.json", source=source.run_dir / records.MANIFEST_FILE),
    ]
    metrics = source.run_dir / "metrics.jsonl"
    if metrics.is_file():
        found.append(Entry(METRICS, source=metrics))
    return found


def _evaluation_entries(part: EvaluationPart | None) -> list[Entry]:
    if part is None:
        return []
    about = {
        "evaluation_id": part.evaluation_id,
        "eval_set": part.eval_set,
        "judges": part.judges,
        "primary_judge": part.primary_judge,
        "seed": part.seed,
    }
    found = [
        Entry("evaluation/evaluation.json", dumps(about)),
        Entry(SCORECARD, dumps(part.scorecard.model_dump(mode="json"))),
    ]
    if part.items_jsonl is not None:
        found.append(Entry(EVAL_SET, part.items_jsonl))
    return found


def _index(source: PackageSource, files: list[Entry]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "tunix_rt_version": __version__,
        "run": {
            "id": source.run_id,
            "name": source.run_name,
            "backend": source.manifest.backend,
            "model": source.config.model,
            "steps": source.manifest.steps,
        },
        "checkpoint": {"dir": MODEL_DIR, "format": source.checkpoint_format},
        "output_format": output_format(source.config),
        "evaluation": None if source.evaluation is None else source.evaluation.eval_set,
        "files": {e.name: {"bytes": e.size(), "sha256": e.sha256()} for e in files},
    }


def entries(source: PackageSource) -> list[Entry]:
    """Every file of the package, the index (with each other file's sha256) included."""
    files = [
        *tree_entries(source.run_dir / "final", MODEL_DIR),
        *_run_entries(source),
        *_data_entries(source),
        *_evaluation_entries(source.evaluation),
        Entry("README.md", card.model_card(source).encode()),
        Entry("notebook.ipynb", dumps(notebook.notebook(source))),
    ]
    files.sort(key=lambda e: e.name)
    return [*files, Entry(INDEX, dumps(_index(source, files)))]
