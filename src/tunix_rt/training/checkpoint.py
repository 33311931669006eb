"""Run-directory files of the PyTorch recipe: metrics, checkpoints and the final model."""

from __future__ import annotations

import json
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.errors import InvalidInput
from tunix_rt.training.config import TrainConfig

if TYPE_CHECKING:
    import torch

RUN_INFO = "tunix_rt.json"
KEEP_CHECKPOINTS = 3


class MetricsLog:
    """``metrics.jsonl``: one JSON object per event, flushed as it is written."""

    def __init__(self, path: Path, *, keep_until_step: int | None = None) -> None:
        self.path = path
        if keep_until_step is not None and path.exists():
            # A resumed run re-does the steps after its checkpoint: drop their old events.
            kept = [
                line
                for line in path.read_text().splitlines()
                if line.strip() and json.loads(line).get("step", 0) <= keep_until_step
            ]
            path.write_text("".join(line + "\n" for line in kept))
        self._fh = path.open("a", encoding="utf-8")

    def write(self, event: str, **fields: Any) -> None:
        """Append one event."""
        self._fh.write(json.dumps({"event": event, **fields}) + "\n")
        self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


def checkpoint_dirs(out_dir: Path) -> list[Path]:
    """Complete checkpoints, oldest first."""
    root = out_dir / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.name.startswith("step-") and (p / "state.pt").exists()]
    return sorted(found, key=lambda p: int(p.name.removeprefix("step-")))


def rng_state() -> dict[str, Any]:
    """Every random generator the recipe uses."""
    import torch

    state: dict[str, Any] = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    """Put the random generators back where a checkpoint left them."""
    import torch

    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(out_dir: Path, step: int, state: dict[str, Any]) -> Path:
    """Write ``checkpoints/step-N/state.pt`` atomically and keep the newest few."""
    import torch

    final = out_dir / "checkpoints" / f"step-{step}"
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    torch.save(state, tmp / "state.pt")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    for old in checkpoint_dirs(out_dir)[:-KEEP_CHECKPOINTS]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load_checkpoint(path: Path) -> dict[str, Any]:
    """The state saved by ``save_checkpoint`` (our own files: full unpickling is intended)."""
    import torch

    state: dict[str, Any] = torch.load(path / "state.pt", weights_only=False, map_location="cpu")
    return state


@dataclass(frozen=True)
class RunInfo:
    """How a saved model expects its prompts rendered (``tunix_rt.json`` in the model dir)."""

    template: ChatTemplate
    style: TraceStyle
    system_prompt: str | None
    max_seq_length: int


def write_run_info(model_dir: Path, cfg: TrainConfig) -> None:
    """Record the rendering a model was trained with, beside its weights."""
    doc = {
        "template": cfg.template.value,
        "style": cfg.style.value,
        "system_prompt": cfg.system_prompt,
        "max_seq_length": cfg.max_seq_length,
        "backend": cfg.backend,
        "base_model": cfg.model,
    }
    (model_dir / RUN_INFO).write_text(json.dumps(doc, indent=2) + "\n")


def read_run_info(model_dir: Path) -> RunInfo:
    """The rendering recorded with a model; ``InvalidInput`` if the directory has none."""
    path = model_dir / RUN_INFO
    try:
        doc = json.loads(path.read_text())
        return RunInfo(
            template=ChatTemplate(doc["template"]),
            style=TraceStyle(doc["style"]),
            system_prompt=doc.get("system_prompt"),
            max_seq_length=int(doc.get("max_seq_length") or 2048),
        )
    except (OSError, ValueError, KeyError) as exc:
        raise InvalidInput(f"model: {path} is missing or unreadable ({exc})") from None


def save_final(out_dir: Path, model: torch.nn.Module, tokenizer: Any, cfg: TrainConfig) -> Path:
    """``final/``: weights + tokenizer (``save_pretrained``) + ``tunix_rt.json``."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in run logs
    final = out_dir / "final"
    shutil.rmtree(final, ignore_errors=True)
    model.save_pretrained(final)  # type: ignore[operator]
    tokenizer.save_pretrained(final)
    write_run_info(final, cfg)
    return final
