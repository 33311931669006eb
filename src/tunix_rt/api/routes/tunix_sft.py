"""Tunix SFT helpers (SPEC.md): export a dataset as SFT JSONL, and emit a training config."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import SessionDep
from tunix_rt.datasets import exports, service
from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.training.config import load_config

router = APIRouter(prefix="/api/tunix/sft", tags=["tunix"], dependencies=[by_method])


class SftExportRequest(BaseModel):
    """Which dataset to export, and how to render it."""

    model_config = ConfigDict(extra="forbid")

    dataset_key: str
    format: str = "tunix_sft"
    split: str | None = None
    template: str = "gemma"
    style: str = "numbered"
    system_prompt: str | None = None


class SftManifestRequest(BaseModel):
    """A dataset key plus any training-config keys (interfaces.md §4) to set."""

    model_config = ConfigDict(extra="allow")

    dataset_key: str = Field(min_length=1)


@router.post("/export")
async def export_sft(body: SftExportRequest, session: SessionDep) -> StreamingResponse:
    """The dataset rendered for SFT (default: the seed's ``tunix_sft`` JSONL with Gemma turns)."""
    options = exports.ExportOptions.parse(
        fmt=body.format,
        split=body.split,
        template=body.template,
        style=body.style,
        system=body.system_prompt,
    )
    dataset = await service.get_dataset(session=session, key=body.dataset_key)
    source = await exports.open_source(session=session, dataset=dataset)
    media = "application/vnd.apache.parquet" if options.fmt == "parquet" else "application/x-ndjson"
    return StreamingResponse(
        exports.iter_export(source, options),
        media_type=media,
        headers={"X-Dataset-Sha256": dataset.content_hash},
    )


def manifest_doc(dataset_key: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """A complete training config for the dataset: the recipe's defaults plus ``overrides``."""
    if "dataset" in overrides or "data_path" in overrides:
        raise InvalidInput(problems=[Problem("dataset", "set by dataset_key")])
    doc: dict[str, Any] = {"model": "tiny-llama", "dataset": dataset_key, **overrides}
    if not any(k in overrides for k in ("epochs", "max_steps", "time_budget_s")):
        doc["epochs"] = 1
    config = load_config(doc)
    return config.model_dump(mode="json", exclude_none=True)


@router.post("/manifest")
async def sft_manifest(body: SftManifestRequest, session: SessionDep) -> Response:
    """A YAML training config (``tunix-rt train --config``) that trains on the dataset."""
    dataset = await service.get_dataset(session=session, key=body.dataset_key)
    doc = manifest_doc(dataset.key, dict(body.model_extra or {}))
    header = (
        f"# Tunix RT training config for dataset {dataset.key} (sha256 {dataset.content_hash})\n"
    )
    text = header + yaml.safe_dump(doc, sort_keys=False)
    return Response(content=text, media_type="application/yaml")
