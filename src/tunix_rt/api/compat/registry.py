"""Earlier tuning and model registry routes: sweeps, model artifacts and their versions."""

from __future__ import annotations

from typing import Any

from tunix_rt.api.compat.evaluation import DEFAULT_EVAL_SET
from tunix_rt.api.compat.exchange import Exchange, Reply, beside, route
from tunix_rt.evaluation.judges import DEFAULT_JUDGES

_TUNING_RENAMES = {"base_model_id": "base_model", "metric_name": "metric", "metric_mode": "mode"}
# The earlier sweep metric ``score`` was the evaluation score: our primary judge's.
_SCORE_METRICS = ("score", "primary_score")


def old_job(job: dict[str, Any]) -> dict[str, Any]:
    """Our sweep in the earlier tuning job's fields."""
    trials = {t["id"]: t for t in job.get("trials", [])}
    best = trials.get(job.get("best_trial_id"))
    return {
        "base_model_id": job["base_model"],
        "metric_name": job["metric"],
        "metric_mode": job["mode"],
        "search_space_json": job["search_space"],
        "best_run_id": best["run_id"] if best else None,
        "best_params_json": best["params"] if best else None,
        "completed_at": job.get("finished_at"),
    }


def _old_trial(job_id: str, trial: dict[str, Any]) -> dict[str, Any]:
    return beside(
        trial,
        {
            "tuning_job_id": job_id,
            "params_json": trial["params"],
            "completed_at": trial.get("finished_at"),
        },
    )


async def tuning_create(ex: Exchange) -> Reply:
    """``base_model_id``/``metric_name``/``metric_mode`` renamed; ``score`` is the primary
    judge's score on the default eval set."""
    body = ex.object()
    if not any(k in body for k in _TUNING_RENAMES):
        return await ex.forward()
    ours = {_TUNING_RENAMES.get(k, k): v for k, v in body.items()}
    base = dict(ours.get("base_config") or {})
    if not any(k in base for k in ("epochs", "max_steps", "time_budget_s")):
        base["epochs"] = 1  # the earlier sweep trained each trial one epoch
    ours["base_config"] = base
    if ours.get("metric") in _SCORE_METRICS:
        ours["metric"] = DEFAULT_JUDGES[0]
        ours.setdefault("eval_set", DEFAULT_EVAL_SET)
    reply = await ex.forward(doc=ours)
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(201, beside(doc, old_job(doc)))


async def tuning_list(ex: Exchange) -> Reply:
    """The earlier bare array of sweeps."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    return Reply.of(200, [beside(job, old_job(job)) for job in reply.json()["data"]])


async def tuning_get(ex: Exchange) -> Reply:
    """A sweep with the earlier fields, its trials too."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    doc = beside(doc, old_job(doc))
    doc["trials"] = [_old_trial(doc["id"], t) for t in doc.get("trials", [])]
    return Reply.of(200, doc)


async def tuning_start(ex: Exchange) -> Reply:
    """The earlier ``job_id``/``status``/``message``: an accepted sweep was ``running``."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    old = {
        "job_id": doc["id"],
        "status": "running",
        "message": f"sweep {doc['status']} on the job queue",
    }
    return Reply.of(200, beside(doc, old))


def old_family(family: dict[str, Any], task_type: str | None = None) -> dict[str, Any]:
    """Our model family in the earlier model artifact's fields (``task_type`` is not stored:
    it is echoed by the create that sent it and null on later reads)."""
    latest = family.get("latest")
    return {
        "task_type": task_type,
        "updated_at": latest["created_at"] if latest else family["created_at"],
        "latest_version": old_version(latest) if latest else None,
    }


def old_version(version: dict[str, Any]) -> dict[str, Any]:
    """Our model version in the earlier model version's fields."""
    provenance = version.get("provenance") or {}
    return {
        "artifact_id": version["family_id"],
        "version": version["label"],
        "source_run_id": version.get("run_id"),
        "status": "ready",
        "metrics_json": provenance.get("metrics"),
        "config_json": provenance.get("config"),
        "provenance_json": provenance,
        "storage_uri": f"/api/models/versions/{version['id']}/download",
    }


async def model_create(ex: Exchange) -> Reply:
    """``task_type`` is not kept by ours: it is dropped and echoed back."""
    body = ex.object()
    if "task_type" not in body:
        return await ex.forward()
    task_type = body.get("task_type")
    reply = await ex.forward(doc={k: v for k, v in body.items() if k != "task_type"})
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(
        201, beside(doc, old_family(doc, task_type if isinstance(task_type, str) else None))
    )


async def model_list(ex: Exchange) -> Reply:
    """The earlier bare array of model artifacts."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    return Reply.of(200, [beside(f, old_family(f)) for f in reply.json()["data"]])


async def model_get(ex: Exchange) -> Reply:
    """A family with the earlier fields."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(200, beside(doc, old_family(doc)))


async def promote(ex: Exchange) -> Reply:
    """``source_run_id``/``version_label`` are ``run_id``/``label``; the answer is the
    version in the earlier fields (ours under ``tunix_rt.version``)."""
    body = ex.object()
    if "source_run_id" not in body and "version_label" not in body:
        return await ex.forward()
    renames = {"source_run_id": "run_id", "version_label": "label"}
    reply = await ex.forward(doc={renames.get(k, k): v for k, v in body.items()})
    if not reply.ok:
        return reply
    doc = reply.json()
    version = doc["version"]
    flat = {k: version[k] for k in ("id", "sha256", "size_bytes", "created_at")}
    return Reply.of(200, beside(doc, {**flat, **old_version(version)}))


async def version_get(ex: Exchange) -> Reply:
    """A version with the earlier fields."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(200, beside(doc, old_version(doc)))


ROUTES = (
    route("POST", "/api/tuning/jobs", tuning_create),
    route("GET", "/api/tuning/jobs", tuning_list),
    route("GET", "/api/tuning/jobs/{job_id}", tuning_get),
    route("POST", "/api/tuning/jobs/{job_id}/start", tuning_start),
    route("POST", "/api/models", model_create),
    route("GET", "/api/models", model_list),
    route("GET", "/api/models/versions/{version_id}", version_get),
    route("GET", "/api/models/{artifact_id}", model_get),
    route("POST", "/api/models/{artifact_id}/versions/promote", promote),
)
