"""The package's notebook: nbformat v4 JSON that reproduces the run on Kaggle (pure).

Its first code cell holds every parameter (tagged ``parameters``, as papermill expects); the
defaults run unchanged on a Kaggle TPU or GPU with the package attached as a dataset.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from tunix_rt import __version__
from tunix_rt.packaging.layout import MODEL_DIR, ORBAX_DIR

if TYPE_CHECKING:
    from tunix_rt.packaging.contents import PackageSource

JAX_VERSION = "0.10.2"


def _cell(kind: str, text: str, **metadata: Any) -> dict[str, Any]:
    lines = text.strip("\n").splitlines(keepends=True)
    cell: dict[str, Any] = {
        "cell_type": kind,
        # Stable ids: derived from the content, so the notebook is the same bytes every time.
        "id": hashlib.sha256(text.encode()).hexdigest()[:12],
        "metadata": metadata,
        "source": lines,
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _parameters(source: PackageSource) -> str:
    tunix = source.manifest.backend == "tunix"
    extra = "tunix" if tunix else "train"
    return f'''
# Parameters: the defaults reproduce the run on Kaggle unchanged; a test or another machine
# overrides them here.
INSTALL = "pip install -q 'tunix-rt[{extra}]=={__version__}'"  # "" skips the install
JAX_EXTRA = "{"auto" if tunix else ""}"  # auto: jax[tpu] on a TPU, jax[cuda12] on a GPU; "": none
PACKAGE_DIR = None  # None: this notebook's directory, or the package attached under /kaggle/input
DATA = None  # None: the packaged dataset/train.jsonl
OUTPUT_DIR = None  # None: /kaggle/working/run on Kaggle, ./run elsewhere
MODEL = None  # None: the run's model ({source.config.model}); or a local Gemma 3 1B directory
STEPS = None  # None: the run's max_steps ({source.config.max_steps})
MAX_NEW_TOKENS = 64  # per scored answer (the hackathon asks for outputs under 1K tokens)
EVAL_LIMIT = 200  # items scored at most
'''


INSTALL = f"""
import glob, os, shutil, subprocess, sys

def sh(command):
    print("$", command)
    subprocess.run(command, shell=True, check=True)

if INSTALL:
    sh(INSTALL)
if JAX_EXTRA == "auto":
    on_tpu = bool(glob.glob("/dev/accel*") or glob.glob("/dev/vfio/[0-9]*"))
    cuda = "jax[cuda12]=={JAX_VERSION}" if shutil.which("nvidia-smi") else ""
    JAX_EXTRA = "jax[tpu]=={JAX_VERSION}" if on_tpu else cuda
if JAX_EXTRA:
    sh(f"{{sys.executable}} -m pip install -q '{{JAX_EXTRA}}'")
"""

LOCATE = """
from pathlib import Path
from tunix_rt.packaging import reproduce

package = reproduce.find_package(PACKAGE_DIR)
out = Path(OUTPUT_DIR) if OUTPUT_DIR else reproduce.default_output_dir()
config_path = reproduce.prepare_config(package, output_dir=out, data=DATA, model=MODEL, steps=STEPS)
print("package:", package)
print(config_path.read_text())
"""

TRAIN = """
reproduce.train(config_path)
new, old = reproduce.losses(out / "metrics.jsonl"), reproduce.original_losses(package)
print(f"reproduced: {len(new)} logged steps, loss {new[0]:.4f} -> {new[-1]:.4f}")
if old:
    print(f"packaged run: {len(old)} logged steps, loss {old[0]:.4f} -> {old[-1]:.4f}")
"""

LOAD_GEMMA3 = f"""
import json
import jax.numpy as jnp
from tunix.models.gemma3 import params as gemma3_params
from tunix_rt.training.tunix_backend.models import FAMILIES, tunix_config

meta = json.loads((out / "final" / "tunix_rt.json").read_text())
dtype = {{"float32": jnp.float32, "bfloat16": jnp.bfloat16}}[meta["dtype"]]
cfg = tunix_config(FAMILIES["gemma3"], meta["model_config"], dtype=dtype)
model = gemma3_params.create_model_from_checkpoint(
    str(out / "final" / "{ORBAX_DIR}"), cfg, dtype=dtype
)
print(type(model).__name__, "loaded from", out / "final" / "{ORBAX_DIR}")
"""

LOAD_NNX = """
from tunix_rt.training.tunix_backend.export import load_final

model, meta = load_final(out / "final")
print(type(model).__name__, "loaded from", out / "final")
"""

LOAD_TORCH = """
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained(out / "final")
print(type(model).__name__, "loaded from", out / "final")
"""

SCORE = """
card = reproduce.score(package, out, max_new_tokens=MAX_NEW_TOKENS, limit=EVAL_LIMIT)
low, high = card.ci95 or (float("nan"), float("nan"))
print(f"{card.primary_judge}: {card.primary_score} (95% CI {low:.3f}-{high:.3f})")
print(f"on {card.n_items} items")
for name, judge in sorted(card.judges.items()):
    print(f"  {name}: mean {judge.mean}, ci95 {judge.ci95}")
print((out / "predictions.jsonl").read_text().splitlines()[0])
"""


def _intro(source: PackageSource) -> str:
    packaged = (
        f"the packaged scorecard (`evaluation/scorecard.json`, eval set "
        f"`{source.evaluation.eval_set}`)"
        if source.evaluation is not None
        else "no packaged scorecard (the run was not evaluated)"
    )
    return f"""
# Reproduce `{source.run_name}` with Tunix RT

This notebook installs Tunix RT, retrains run `{source.run_id}`
(backend `{source.manifest.backend}`, model `{source.config.model}`) from the packaged
`run/config.json` and data, loads the new
checkpoint, and scores it. The model writes `<reasoning>…</reasoning><answer>…</answer>`
(style `{source.config.style.value}`, template `{source.config.template.value}`). Compare with
{packaged}.

On Kaggle: attach the unzipped package as a dataset, choose a TPU or GPU, run all cells.
"""


def notebook(source: PackageSource) -> dict[str, Any]:
    """The notebook document (nbformat 4.5)."""
    if source.manifest.backend != "tunix":
        load = LOAD_TORCH
    elif source.model_meta.get("family") == "gemma3":
        load = LOAD_GEMMA3
    else:
        load = LOAD_NNX
    cells = [
        _cell("markdown", _intro(source)),
        _cell("code", _parameters(source), tags=["parameters"]),
        _cell("markdown", "## Install Tunix RT (and JAX for the accelerator)"),
        _cell("code", INSTALL),
        _cell("markdown", "## The package and the run's config, on this machine's paths"),
        _cell("code", LOCATE),
        _cell("markdown", "## Train"),
        _cell("code", TRAIN),
        _cell("markdown", f"## Load the checkpoint ({MODEL_DIR}/ in the package)"),
        _cell("code", load),
        _cell("markdown", "## Score the held-out items"),
        _cell("code", SCORE),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
