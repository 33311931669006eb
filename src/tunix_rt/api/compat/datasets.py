"""Earlier dataset and SFT routes: build, ingest (a server path), SFT export and manifest."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import yaml

from tunix_rt import errors, paths
from tunix_rt.api.compat.exchange import Exchange, Reply, beside, route
from tunix_rt.api.compat.traces import get_trace
from tunix_rt.datasets import exports

_LIST_FILTERS = ("source", "category", "difficulty")
_PROVENANCE = ("session_id", "parent_dataset_id", "training_run_id")
_BUILD_RENAMES = {
    "dataset_name": "name",
    "dataset_version": "version",
    "selection_strategy": "strategy",
}
# Training keys of the earlier flat requests, in our config's names (the rest are the same).
TRAIN_RENAMES = {"model_id": "model", "num_epochs": "epochs", "dataset_key": "dataset"}
DROPPED_TRAIN_KEYS = ("output_dir",)  # the run directory is the server's, never the request's


def _filters(old: dict[str, Any]) -> dict[str, Any]:
    """``{"source": "x"}`` -> ``{"source": ["x"]}``; other keys filter on ``meta``."""
    out: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for key, value in old.items():
        if key in _LIST_FILTERS:
            out[key] = value if isinstance(value, list) else [value]
        else:
            meta[key] = value
    if meta:
        out["meta"] = meta
    return out


def build_body(old: dict[str, Any]) -> dict[str, Any]:
    """An earlier build request in our fields; its provenance labels go to ``provenance``."""
    body = {_BUILD_RENAMES.get(k, k): v for k, v in old.items() if k not in _PROVENANCE}
    if isinstance(body.get("filters"), dict):
        body["filters"] = _filters(body["filters"])
    labels = {k: str(old[k]) for k in _PROVENANCE if old.get(k) is not None}
    if labels:
        body["provenance"] = {**body.get("provenance", {}), **labels}
    return body


async def build(ex: Exchange) -> Reply:
    """Build; the answer adds ``dataset_key``, ``trace_count`` and ``manifest_path``."""
    body = ex.object()
    if not any(k in body for k in _BUILD_RENAMES):
        return await ex.forward()
    reply = await ex.forward(doc=build_body(body))
    if not reply.ok:
        return reply
    doc = reply.json()
    old = {
        "dataset_key": doc["key"],
        "trace_count": doc["record_count"],
        # The manifest is a database row now; this is where to read it.
        "manifest_path": f"/api/datasets/{doc['key']}",
    }
    return Reply.of(201, beside(doc, old))


def _source_lines(data: bytes, source: str) -> list[dict[str, Any]]:
    traces = []
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            doc = json.loads(raw)
        except ValueError:
            raise errors.InvalidInput(
                problems=[errors.Problem(f"path.line[{number}]", "not JSON")]
            ) from None
        if not isinstance(doc, dict):
            raise errors.InvalidInput(
                problems=[errors.Problem(f"path.line[{number}]", "not a JSON object")]
            )
        meta = doc.get("meta")
        if meta is None or isinstance(meta, dict):  # any other meta is ours to refuse
            doc["meta"] = {**(meta or {}), "source": source}
        traces.append(doc)
    return traces


async def ingest(ex: Exchange) -> Reply:
    """The earlier ingest of a JSONL file on the server, only inside the allowed roots.

    A JSONL upload (our ingest) is passed through; the earlier JSON body names a ``path`` under
    ``TUNIX_RT_HOME`` or ``TUNIX_RT_MODEL_ROOTS`` and a ``source_name`` each trace's
    ``meta.source`` is set to; the traces are stored as one batch.
    """
    if not ex.media.startswith("application/json"):  # ours refuses JSON bodies (415)
        return await ex.forward()
    body = ex.object()
    problems = []
    where = str(body.get("path", ""))
    problem = paths.file_problem("path", where, ex.settings) if where else None
    if not where:
        problems.append(errors.Problem("path", "required"))
    elif problem is not None:
        problems.append(problem)
    if not isinstance(body.get("source_name", ""), str):
        problems.append(errors.Problem("source_name", "expected a string"))
    if problems:
        raise errors.InvalidInput(problems=problems)
    located = paths.confined(where, ex.settings)
    assert located is not None  # file_problem found it inside the roots
    if located.stat().st_size > ex.settings.max_body_bytes:
        raise errors.PayloadTooLarge(
            problems=[errors.Problem("path", "the file is larger than TUNIX_RT_MAX_BODY_BYTES")]
        )
    source = body.get("source_name") or located.stem
    traces = _source_lines(await asyncio.to_thread(located.read_bytes), source)
    if not traces:
        raise errors.InvalidInput(problems=[errors.Problem("path", "the file holds no traces")])
    reply = await ex.call("POST", "/api/traces/batch", doc=traces)
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(201, beside(doc, {"ingested_count": len(doc["ids"]), "trace_ids": doc["ids"]}))


async def sft_export(ex: Exchange) -> Reply:
    """By ``dataset_key`` (ours) or by ``trace_ids`` (rendered here, the earlier way)."""
    body = ex.object()
    if "trace_ids" not in body:
        if "dataset_key" not in body:
            raise errors.InvalidInput(
                problems=[errors.Problem("body", "give dataset_key or trace_ids")]
            )
        return await ex.forward(doc={k: v for k, v in body.items() if k != "limit"})
    ids = body["trace_ids"]
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise errors.InvalidInput(
            problems=[errors.Problem("trace_ids", "a non-empty list of trace ids")]
        )
    options = exports.ExportOptions.parse(fmt=str(body.get("format", "tunix_sft")))
    if options.fmt == "parquet":
        raise errors.InvalidInput(problems=[errors.Problem("format", "JSONL formats only")])
    lines = []
    for trace_id in ids:
        got = await get_trace(ex, trace_id)
        if not got.ok:
            return got
        trace = got.json()
        doc = {k: trace[k] for k in ("trace_version", "prompt", "final_answer", "steps", "meta")}
        lines.append(exports.convert(trace_id, "train", json.dumps(doc).encode(), options))
    return Reply.text(200, b"".join(lines), "application/x-ndjson")


def train_keys(old: dict[str, Any]) -> dict[str, Any]:
    """The earlier flat training fields in our config's names (``output_dir`` is dropped)."""
    return {TRAIN_RENAMES.get(k, k): v for k, v in old.items() if k not in DROPPED_TRAIN_KEYS}


async def sft_manifest(ex: Exchange) -> Reply:
    """The earlier JSON answer around our YAML config (``model_id``/``num_epochs`` renamed)."""
    body = ex.object()
    if "model_id" not in body and "num_epochs" not in body and "output_dir" not in body:
        return await ex.forward()
    ours = {k: v for k, v in train_keys(body).items() if k != "dataset"}
    reply = await ex.forward(doc={"dataset_key": body.get("dataset_key"), **ours})
    if not reply.ok:
        return reply
    text = reply.body.decode()
    config = yaml.safe_load(text)
    old = {
        "manifest_yaml": text,
        "dataset_key": config.get("dataset"),
        "model_id": config.get("model"),
        "format": "tunix_sft",
        "message": "Training config generated (train it with: tunix-rt train --config FILE)",
        "config": config,
    }
    return Reply.of(201, old)


ROUTES = (
    route("POST", "/api/datasets/build", build),
    route("POST", "/api/datasets/ingest", ingest),
    route("POST", "/api/tunix/sft/export", sft_export),
    route("POST", "/api/tunix/sft/manifest", sft_manifest),
)
