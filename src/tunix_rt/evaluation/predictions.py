"""Predictions files (``predictions-<eval set>.jsonl`` in a run directory) and trained styles."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.errors import InvalidInput

# Written beside a trained model's weights by the training recipes (template, style, ...).
RUN_INFO = "tunix_rt.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class PredictionRow:
    """One line of a predictions file."""

    id: str
    prediction: str
    truncated: bool
    # Tokens generated (generation writes it; other files may not say).
    tokens: int | None = None


def predictions_path(run_dir: Path, eval_set: str) -> Path:
    """Where a run's predictions on ``eval_set`` live."""
    return run_dir / f"predictions-{_UNSAFE.sub('_', eval_set)}.jsonl"


def eval_file_path(run_dir: Path, eval_set: str) -> Path:
    """Where the eval set is written for generation."""
    return run_dir / f"eval-{_UNSAFE.sub('_', eval_set)}.jsonl"


def read_predictions(path: Path) -> dict[str, PredictionRow]:
    """Predictions by item id; ``InvalidInput`` naming the first bad line."""
    rows: dict[str, PredictionRow] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"predictions: cannot read {path}: {exc.strerror}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            raise InvalidInput(f"predictions: {path.name} line {n} is not JSON") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("prediction"), str):
            raise InvalidInput(f"predictions: {path.name} line {n} has no prediction text")
        item_id = str(doc.get("id", ""))
        if not item_id:
            raise InvalidInput(f"predictions: {path.name} line {n} has no id")
        tokens = doc.get("tokens")
        counted = tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None
        rows[item_id] = PredictionRow(
            item_id, doc["prediction"], bool(doc.get("truncated")), counted
        )
    return rows


def _enum(value: Any, kind: type[TraceStyle] | type[ChatTemplate]) -> Any:
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


def trained_style(
    run_dir: Path, config: Mapping[str, Any]
) -> tuple[TraceStyle | None, ChatTemplate | None]:
    """The trace style and template a run's model was trained with (model dir, then config)."""
    info_path = run_dir / "final" / RUN_INFO
    doc: Mapping[str, Any] = config
    if info_path.is_file():
        try:
            loaded = json.loads(info_path.read_text())
            doc = loaded if isinstance(loaded, dict) else config
        except (OSError, json.JSONDecodeError):
            doc = config
    style = _enum(doc.get("style"), TraceStyle)
    template = _enum(doc.get("template"), ChatTemplate)
    return style, template
