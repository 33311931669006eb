"""The Tunix (JAX) training backend: the only code in Tunix RT that imports tunix/jax/qwix.

Importing this package is cheap: ``train`` and ``generate`` import JAX on first call, and
``status`` reports the installation from package metadata without importing JAX unless asked.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tunix_rt.training.config import TrainConfig
    from tunix_rt.training.records import Prediction, TrainResult
    from tunix_rt.training.tunix_backend.sampling import GenerateItem

META_FILE = "tunix_rt.json"
_PACKAGES = ("google-tunix", "jax", "jaxlib", "flax", "optax", "orbax-checkpoint", "qwix")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def status(*, devices: bool = False) -> dict[str, Any]:
    """Whether Tunix is installed, its and JAX's versions, and (if asked) JAX's devices."""
    installed = (
        importlib.util.find_spec("tunix") is not None and _version("google-tunix") is not None
    )
    doc: dict[str, Any] = {
        "installed": installed,
        "version": _version("google-tunix"),
        "libraries": {name: _version(name) for name in _PACKAGES},
        "devices": None,
    }
    if devices and installed:
        import jax

        doc["devices"] = [{"platform": d.platform, "kind": d.device_kind} for d in jax.devices()]
    return doc


def is_tunix_model_dir(path: Path | str) -> bool:
    """Whether ``path`` is a model directory written by this backend (no JAX import)."""
    meta = Path(path) / META_FILE
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("backend") == "tunix"


def train(config: TrainConfig, *, resume: bool) -> TrainResult:
    """Run SFT with Tunix's PeftTrainer; writes the output dir layout of interfaces.md §4."""
    from tunix_rt.training.tunix_backend import recipe

    return recipe.train(config, resume=resume)


def generate(
    model_dir: Path | str,
    items: Sequence[GenerateItem],
    *,
    max_new_tokens: int,
    batch_size: int,
    temperature: float = 0.0,
    seed: int = 0,
) -> list[Prediction]:
    """Decode a tunix model directory's answers to ``items`` with Tunix's sampler."""
    from tunix_rt.training.tunix_backend import sampling

    return sampling.generate(
        Path(model_dir),
        items,
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
        temperature=temperature,
        seed=seed,
    )
