"""The package's model card (README.md): what was trained, on what, how it scored (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunix_rt.evaluation.scorecard import Scorecard
from tunix_rt.packaging.layout import INDEX, MODEL_DIR, ORBAX_DIR, SCORECARD

if TYPE_CHECKING:
    from tunix_rt.packaging.contents import EvaluationPart, PackageSource


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _ci(ci: tuple[float, float] | None) -> str:
    return "n/a" if ci is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _scores(scorecard: Scorecard) -> list[str]:
    lines = ["| judge | mean | 95% CI | scored / items |", "|---|---|---|---|"]
    for name in sorted(scorecard.judges):
        judge = scorecard.judges[name]
        row = f"| {name} | {_fmt(judge.mean)} | {_ci(judge.ci95)} | {judge.scored} / {judge.n} |"
        lines.append(row)
    return lines


def _evaluation(part: EvaluationPart | None) -> list[str]:
    if part is None:
        return [
            "This run has **no evaluation**: no scorecard is included. Score it with",
            "`tunix-rt eval RUN --eval-set NAME` and package it again, or run the notebook,",
            "which scores the held-out items of the packaged data.",
        ]
    card = part.scorecard
    boot = card.bootstrap
    return [
        f"Eval set `{part.eval_set}`, {card.n_items} items, judges {', '.join(part.judges)}.",
        f"Primary judge `{card.primary_judge}`: **{_fmt(card.primary_score)}** "
        f"(95% CI {_ci(card.ci95)}, {boot.method} bootstrap, {boot.resamples} resamples, "
        f"seed {boot.seed}).",
        "",
        *_scores(card),
        "",
        f"The full scorecard (label counts, breakdowns) is `{SCORECARD}`.",
    ]


def _loading(source: PackageSource) -> list[str]:
    if source.manifest.backend != "tunix":
        return [
            f"`{MODEL_DIR}/` is a transformers model directory with safetensors weights:",
            "",
            "```python",
            "from transformers import AutoModelForCausalLM, AutoTokenizer",
            f'model = AutoModelForCausalLM.from_pretrained("{MODEL_DIR}")',
            f'tokenizer = AutoTokenizer.from_pretrained("{MODEL_DIR}")',
            "```",
        ]
    family = source.model_meta.get("family")
    if family != "gemma3":
        return [
            f"`{MODEL_DIR}/{ORBAX_DIR}/` is an Orbax checkpoint of the Tunix `{family}` model's",
            "NNX state tree, restored against the abstract model:",
            "",
            "```python",
            "from pathlib import Path",
            "from tunix_rt.training.tunix_backend.export import load_final",
            f'model, meta = load_final(Path("{MODEL_DIR}"))',
            "```",
        ]
    return [
        f"`{MODEL_DIR}/{ORBAX_DIR}/` is an Orbax checkpoint in the upstream Gemma 3 layout,",
        "loaded by Tunix's own Gemma 3 code (as Google's released checkpoints are):",
        "",
        "```python",
        "import json, jax.numpy as jnp",
        "from tunix.models.gemma3 import params",
        "from tunix_rt.training.tunix_backend.models import FAMILIES, tunix_config",
        f'meta = json.load(open("{MODEL_DIR}/tunix_rt.json"))',
        'cfg = tunix_config(FAMILIES["gemma3"], meta["model_config"], dtype=jnp.float32)',
        f'model = params.create_model_from_checkpoint("{MODEL_DIR}/{ORBAX_DIR}", cfg)',
        "```",
    ]


def model_card(source: PackageSource) -> str:
    """The README.md of the package."""
    cfg, manifest = source.config, source.manifest
    data = source.dataset_manifest
    tags = "<reasoning>…</reasoning><answer>…</answer>"
    lines = [
        f"# {source.run_name}: a reasoning model trained with Tunix RT",
        "",
        f"Run `{source.run_id}`, backend `{manifest.backend}`, model `{cfg.model}`"
        f" ({manifest.parameters:,} parameters, {manifest.trainable_parameters:,} trained,"
        f" {manifest.dtype or 'float32'}).",
        f"{manifest.steps} steps, stopped by `{manifest.stop_reason}`;"
        f" code {manifest.code_version}.",
        "",
        "## Output format",
        "",
        f"Trained in the `{cfg.style.value}` style with the `{cfg.template.value}` chat template"
        + (f": `{tags}`, the Tunix hackathon's format." if cfg.style == "tagged" else "."),
        "",
        "## Data",
        "",
        f"Dataset `{data.get('key') or data.get('file')}`: {data.get('record_count')} records,"
        f" sha256 `{manifest.data_sha256}`; {manifest.train_examples} training examples,"
        f" {manifest.eval_examples} held out. Manifest: `dataset/manifest.json`.",
        "",
        "## Evaluation",
        "",
        *_evaluation(source.evaluation),
        "",
        "## Checkpoint",
        "",
        *_loading(source),
        "",
        "## Reproduce",
        "",
        "`notebook.ipynb` installs Tunix RT, retrains this run from `run/config.json` and the",
        "packaged data, loads the checkpoint and scores it. Its first cell holds the parameters.",
        "",
        f"Every file's sha256 is listed in `{INDEX}`.",
    ]
    return "\n".join(lines) + "\n"
