"""What each replayed request must show with the adapter on, beyond its ``name:type`` fields.

``DIFFERENCES`` and ``NOT_POSSIBLE`` are the documented departures (docs/compat.md lists the
same, route by route); every other request is compatible: the earlier status class and every
field the earlier client reads, with its type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.compat.replay import Outcome, check_fields

# id -> (the status we answer, why it is not the earlier behaviour exactly)
DIFFERENCES: dict[str, tuple[int, str]] = {
    "trace_list_default": (200, "our default page is 50 traces, not 20"),
    "trace_list_limit_101": (200, "our page cap is higher than 100: limit=101 is a valid page"),
    "run_list_limit_101": (200, "our page cap is higher than 100: limit=101 is a valid page"),
    "run_dry": (
        200,
        "google/gemma-2b-it is not on this server and nothing is downloaded: the "
        "dry run reports failed with that reason (a preset or registered model passes)",
    ),
    "run_dry_ui": (200, "as run_dry"),
    "run_dry_async": (
        200,
        "as run_dry; and a dry run is answered at once (completed or "
        "failed), never pending: there is no run to poll",
    ),
    "run_evaluate": (
        201,
        "evaluated on the eval-v2 set with our default judges (ours needs an "
        "eval set); the adapter waits for the queued job",
    ),
    "run_evaluate_judge": (201, "as run_evaluate; judge_override names one of our judges"),
    "model_create": (201, "task_type is not stored: echoed by the create, null on later reads"),
}
# id -> (the status we answer, why the earlier behaviour cannot be kept)
NOT_POSSIBLE: dict[str, tuple[int, str]] = {
    "run_local_no_runtime": (
        422,
        "Tunix is installed, so the earlier server would train "
        "google/gemma-2b-it on a dataset that does not exist; ours refuses "
        "the missing dataset by name (config.dataset) before queuing",
    ),
    "model_version_download": (
        200,
        "the download is our content-addressed tar (streamed, "
        "sha256 in X-Archive-SHA256), not a zip: re-packing would hold "
        "a whole model in memory",
    ),
}


_METRIC_POINT = ["step:int", "epoch:int", "loss:float", "timestamp:str"]
_LOG_DATA = ["seq:int", "stream:str", "chunk:str", "created_at:str"]


def _sse_ok(text: str) -> bool:
    """``log`` events with the earlier data fields, then the earlier ``status`` event."""
    events = [e.split("\n") for e in text.strip().split("\n\n")]
    logs = [json.loads(e[-1][6:]) for e in events if "event: log" in e]
    last = events[-1]
    status = json.loads(last[-1][6:])["status"] if "event: status" in last else None
    return (
        bool(logs)
        and all(check_fields(d, _LOG_DATA) == [] for d in logs)
        and (status == "completed")
    )


def _lines(out: Outcome) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.text.splitlines() if line.strip()]


def _need(ok: bool, what: str) -> list[str]:
    return [] if ok else [what]


def _contains(words: str) -> Callable[[Outcome, dict[str, str]], list[str]]:
    return lambda out, _ids: _need(words in out.text.lower(), f"detail contains {words!r}")


def _some_lines(out: Outcome, _ids: dict[str, str]) -> list[str]:
    return _need(out.media.startswith("application/x-ndjson") and bool(_lines(out)), "NDJSON")


def _bare_list(out: Outcome, _ids: dict[str, str]) -> list[str]:
    return _need(isinstance(out.json(), list), "a bare JSON array")


def _dry_failed_on_model(out: Outcome, _ids: dict[str, str]) -> list[str]:
    doc = out.json()
    return _need(doc["status"] == "failed" and "gemma-2b-it" in doc["stderr"], "failed: model")


SPECIAL: dict[str, Callable[[Outcome, dict[str, str]], list[str]]] = {
    "metrics": lambda out, _ids: _need("# HELP" in out.text, "prometheus text"),
    "trace_batch_empty": _contains("at least one"),
    "trace_list_default": lambda out, _ids: _need(out.json()["pagination"]["limit"] == 50, "50"),
    "ungar_export": lambda out, _ids: _need(
        [line["meta"]["generator"] for line in _lines(out)] == ["high_card_duel"] * 5,
        "the 5 stored duels (limit 10), not 10 new deals",
    ),
    "ungar_export_ids": lambda out, ids: _need(
        [line["prompt"] for line in _lines(out)] == [ids["trace_prompt"]], "the one stored trace"
    ),
    "dataset_build_random_noseed": _contains("seed"),
    "dataset_ingest": lambda out, _ids: _need(
        out.json()["ingested_count"] == 3 and len(out.json()["trace_ids"]) == 3, "3 ingested"
    ),
    "dataset_build_after_ingest": lambda out, _ids: _need(out.json()["trace_count"] > 0, "> 0"),
    "dataset_export": _some_lines,
    "dataset_export_sft": _some_lines,
    "dataset_export_training_example": _some_lines,
    "dataset_export_missing": _contains("not found"),
    "sft_export_dataset": _some_lines,
    "sft_export_ids": lambda out, _ids: _need(len(_lines(out)) == 2, "2 NDJSON lines"),
    "sft_export_neither": _contains("dataset_key or trace_ids"),
    "sft_export_missing": _contains("not found"),
    "run_dry": _dry_failed_on_model,
    "run_dry_ui": _dry_failed_on_model,
    "run_dry_async": _dry_failed_on_model,
    "run_dry_missing_dataset": lambda out, _ids: _need(out.json()["status"] == "failed", "failed"),
    "run_list_mode": lambda out, _ids: _need(
        all(r["mode"] == "dry-run" for r in out.json()["data"]), "dry-run runs only"
    ),
    "run_logs": lambda out, _ids: _need(
        out.media.startswith("text/event-stream") and _sse_ok(out.text), "SSE log and status"
    ),
    "run_artifact_download": lambda out, _ids: _need(bool(out.text), "file bytes"),
    "run_metrics": lambda out, _ids: _need(
        bool(out.json()) and all(check_fields(p, _METRIC_POINT) == [] for p in out.json()),
        "a bare array of {step,epoch,loss,timestamp}",
    ),
    "tuning_list": _bare_list,
    "model_list": _bare_list,
    "model_version_download": lambda out, _ids: _need(out.media == "application/x-tar", "tar"),
}
