"""A registered model version as a Hugging Face model folder with a model card.

The folder holds the version's stored files as they are (``config.json``, the weights, the
tokenizer: what ``from_pretrained`` reads), ``README.md`` (YAML front matter with
``library_name`` and a ``model-index`` of the evaluation's judge scores, then the training
data hash, the run config and every judge's score with its 95% CI) and
``tunix_rt_provenance.json`` (the version's provenance as recorded at promotion). It is
written beside the target and renamed into place, so a failed export leaves nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, InvalidState, Problem
from tunix_rt.registry import service
from tunix_rt.registry.models import ModelFamily, ModelVersion
from tunix_rt.registry.schemas import Provenance

PROVENANCE_FILE = "tunix_rt_provenance.json"
CARD_FILE = "README.md"


@dataclass(frozen=True)
class ModelExport:
    """What was written."""

    path: Path
    name: str
    files: int


def _model_index(name: str, provenance: Provenance) -> list[dict[str, Any]]:
    evaluation = provenance.evaluation
    if evaluation is None or evaluation.scorecard is None:
        return []
    metrics = [
        {"type": judge, "name": judge, "value": card.mean}
        for judge, card in evaluation.scorecard.judges.items()
        if card.mean is not None
    ]
    dataset = {"name": evaluation.eval_set, "type": "tunix-rt/eval-set"}
    results = [{"task": {"type": "text-generation"}, "dataset": dataset, "metrics": metrics}]
    return [{"name": name, "results": results}]


def _scores(provenance: Provenance) -> list[str]:
    evaluation = provenance.evaluation
    if evaluation is None or evaluation.scorecard is None:
        return ["No successful evaluation was recorded when this version was promoted."]
    lines = [
        f"Eval set `{evaluation.eval_set}`, {evaluation.n_items} items, evaluation "
        f"`{evaluation.evaluation_id}` (primary judge `{evaluation.primary_judge}`); "
        "95% CIs are percentile-bootstrap intervals of the mean.",
        "",
        "| judge | version | score | 95% CI | scored |",
        "|---|---|---|---|---|",
    ]
    for judge, card in evaluation.scorecard.judges.items():
        score = "n/a" if card.mean is None else f"{card.mean:.4f}"
        ci = "n/a" if card.ci95 is None else f"[{card.ci95[0]:.4f}, {card.ci95[1]:.4f}]"
        lines.append(f"| {judge} | {card.version} | {score} | {ci} | {card.scored} |")
    return lines


def card_text(family: ModelFamily, version: ModelVersion, provenance: Provenance) -> str:
    """The model card: front matter (library, model-index, provenance hashes) and the body."""
    name = f"{family.name}/{version.label}"
    facts = {
        "family": family.name, "version": version.label, "sha256": version.sha256,
        "archive_sha256": version.archive_sha256, "run_id": str(provenance.run_id),
        "dataset_key": provenance.dataset_key, "dataset_sha256": provenance.dataset_sha256,
        "code_version": provenance.code_version,
    }  # fmt: skip
    front: dict[str, Any] = {"library_name": "transformers", "tags": ["tunix-rt"]}
    if index := _model_index(name, provenance):
        front["model-index"] = index
    front["tunix_rt"] = facts
    config = orjson.dumps(provenance.config, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    libraries = [f"- {k} {v}" for k, v in sorted(provenance.library_versions.items())]
    lines = [
        "---", yaml.safe_dump(front, sort_keys=False).rstrip(), "---", f"# {name}", "",
        f"Trained by Tunix RT run `{provenance.run_name}` (`{provenance.run_id}`); model "
        f"content sha256 `{version.sha256}`.", "",
        "## Training data", "",
        f"- dataset `{provenance.dataset_key}`",
        f"- training data sha256 `{provenance.dataset_sha256}`", "",
        "## Evaluation", "", *_scores(provenance), "",
        "## Training config", "", "```json", config.decode(), "```", "",
        "## Libraries", "", *(libraries or ["- not recorded"]),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_folder(family: ModelFamily, version: ModelVersion, out: Path) -> ModelExport:
    """Copy the stored model and write its card at ``out`` (absent or empty)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput("invalid export", problems=[Problem("out", f"{out} is not empty")])
    source = Path(version.storage_path)
    if not source.is_dir():
        raise InvalidState(f"the stored files of {family.name}/{version.label} are missing")
    provenance = Provenance.model_validate(version.provenance)
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(source, tmp, copy_function=shutil.copyfile)
        (tmp / CARD_FILE).write_text(card_text(family, version, provenance), encoding="utf-8")
        doc = orjson.dumps(version.provenance, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        (tmp / PROVENANCE_FILE).write_bytes(doc)
        if out.exists():
            out.rmdir()
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = sum(1 for p in out.rglob("*") if p.is_file())
    return ModelExport(out, f"{family.name}/{version.label}", files)


async def resolve(*, session: AsyncSession, uri: str) -> tuple[ModelFamily, ModelVersion]:
    """The family and version a ``registry://`` URI names."""
    version = await service.resolve_uri(session=session, uri=uri)
    family = await session.get(ModelFamily, version.family_id)
    assert family is not None  # the foreign key holds it
    return family, version
