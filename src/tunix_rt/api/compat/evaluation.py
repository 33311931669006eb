"""Earlier evaluation and regression routes: a synchronous evaluate, the leaderboard, gates."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tunix_rt import errors
from tunix_rt.api.compat.exchange import Exchange, Reply, beside, percent, route
from tunix_rt.evaluation.judges import DEFAULT_JUDGES, JUDGES
from tunix_rt.traces.seeds import EVAL_V2

# The earlier evaluate scored a run on its own fixed items; ours needs an eval set.
DEFAULT_EVAL_SET = EVAL_V2
# The earlier evaluate answered when scored; ours queues a job, which the adapter waits for.
EVALUATE_WAIT_S = 120.0
_POLL_S = 0.2
_DONE = ("succeeded", "failed")
# The earlier verdict: our primary score (0-1) at or above this passes.
PASS_AT = 0.5
_LEADERBOARD_RENAMES = {
    "dataset_key": "dataset",
    "model_id": "model",
    "date_from": "created_after",
    "date_to": "created_before",
    "config_path": "config",
}


def verdict(status: str, score: float | None) -> str:
    """``pass``/``fail`` on the primary score; ``uncertain`` when nothing was scored."""
    if status != "succeeded" or score is None:
        return "uncertain"
    return "pass" if score >= PASS_AT else "fail"


def old_evaluation(doc: dict[str, Any]) -> dict[str, Any]:
    """Our evaluation in the earlier evaluation response's fields."""
    cards = (doc.get("scorecard") or {}).get("judges", {})
    primary = doc["primary_judge"]
    means = {name: card["mean"] for name, card in cards.items() if card.get("mean") is not None}
    detailed = [
        {
            "name": name,
            "score": card.get("mean"),
            "max_score": card["score_range"][1],
            "details": {"scored": card["scored"], "skipped": card["skipped"], "n": card["n"]},
        }
        for name, card in cards.items()
    ]
    version = (cards.get(primary) or {}).get("version") or JUDGES[primary].version
    return {
        "evaluation_id": doc["id"],
        "run_id": doc["run_id"],
        "score": percent(doc.get("primary_score")) or 0.0,
        "verdict": verdict(doc["status"], doc.get("primary_score")),
        "metrics": means,
        "detailed_metrics": detailed,
        "judge": {"name": primary, "version": version},
        "evaluated_at": doc.get("finished_at") or doc["created_at"],
        "primary_score": doc.get("primary_score"),
    }


def _judges(override: Any) -> list[str]:
    """``judge_override``: that judge of ours (``mock`` is one too); absent: our defaults."""
    if override in (None, ""):
        return list(DEFAULT_JUDGES)
    if not isinstance(override, str):
        raise errors.InvalidInput(problems=[errors.Problem("judge_override", "a judge name")])
    return [override]


async def evaluate(ex: Exchange) -> Reply:
    """Queue our evaluation and wait for it (up to ``EVALUATE_WAIT_S``), as the earlier
    synchronous call did; still running then: 202 with ``verdict`` ``uncertain``."""
    body = ex.object()
    if "eval_set" in body:
        return await ex.forward()
    request = {"eval_set": DEFAULT_EVAL_SET, "judges": _judges(body.get("judge_override"))}
    extra = sorted(set(body) - {"judge_override"})
    if extra:
        raise errors.InvalidInput(
            problems=[errors.Problem(k, "the earlier evaluate takes judge_override") for k in extra]
        )
    reply = await ex.forward(doc=request)
    if not reply.ok:
        return reply
    doc = reply.json()
    deadline = time.monotonic() + EVALUATE_WAIT_S
    while doc["status"] not in _DONE and time.monotonic() < deadline:
        await asyncio.sleep(_POLL_S)
        polled = await ex.call("GET", f"/api/tunix/evaluations/{doc['id']}")
        if not polled.ok:
            return polled
        doc = polled.json()
    status = 201 if doc["status"] in _DONE else 202
    return Reply.of(status, beside(doc, old_evaluation(doc)))


async def evaluation_get(ex: Exchange) -> Reply:
    """The latest evaluation with the earlier fields."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(200, beside(doc, old_evaluation(doc)))


def _old_row(row: dict[str, Any]) -> dict[str, Any]:
    primary = (row.get("scores") or {}).get(row["primary_judge"]) or {}
    score = primary.get("score")
    n_items = row.get("n_items") or 0
    scorecard = {
        "n_items": n_items,
        "n_scored": primary.get("scored", 0),
        "n_skipped": n_items - primary.get("scored", 0),
        "primary_score": score,
        "stddev": None,
    }
    return {
        "model_id": row.get("model") or "",
        "config_path": None,
        "score": percent(row.get("score")),
        "verdict": verdict("succeeded", score),
        "metrics": {name: s["score"] for name, s in row["scores"].items()},
        "evaluated_at": row.get("finished_at") or row["created_at"],
        "primary_score": score,
        "scorecard": scorecard,
    }


async def leaderboard(ex: Exchange) -> Reply:
    """The earlier filter names renamed; rows gain the earlier fields, the page ``filters``."""
    query = {_LEADERBOARD_RENAMES.get(k, k): v for k, v in ex.query.items()}
    reply = await ex.forward(query=query)
    if not reply.ok:
        return reply
    doc = reply.json()
    doc["data"] = [beside(row, _old_row(row)) for row in doc["data"]]
    renamed = {old: ex.query.get(old) for old in _LEADERBOARD_RENAMES}
    return Reply.of(200, beside(doc, {"filters": renamed}))


async def _primary_judge(ex: Exchange, body: dict[str, Any]) -> str:
    """The primary judge of the run's latest evaluation on the eval set (our default judge
    when there is none: ours then names what is missing)."""
    reply = await ex.call(
        "GET",
        f"/api/tunix/runs/{body.get('run_id')}/evaluation",
        query={"eval_set": body["eval_set"]},
    )
    return str(reply.json()["primary_judge"]) if reply.ok else DEFAULT_JUDGES[0]


async def baseline(ex: Exchange) -> Reply:
    """``lower_is_better`` (false only: our scores rise) dropped; the eval set defaults;
    the earlier ``primary_score`` metric is the primary judge's score."""
    body = ex.object()
    if "eval_set" in body and "lower_is_better" not in body:
        return await ex.forward()
    if body.get("lower_is_better"):
        raise errors.InvalidInput(
            problems=[errors.Problem("lower_is_better", "every judge's score rises: false only")]
        )
    ours = {k: v for k, v in body.items() if k != "lower_is_better"}
    ours.setdefault("eval_set", DEFAULT_EVAL_SET)
    if ours.get("metric") in ("primary_score", "score"):
        ours["metric"] = await _primary_judge(ex, ours)
    reply = await ex.forward(doc=ours)
    if not reply.ok:
        return reply
    return Reply.of(201, beside(reply.json(), {"lower_is_better": False}))


async def check(ex: Exchange) -> Reply:
    """``baseline_name`` is our ``baseline``; the answer adds the earlier value fields."""
    body = ex.object()
    if "baseline_name" not in body:
        return await ex.forward()
    ours = {("baseline" if k == "baseline_name" else k): v for k, v in body.items()}
    reply = await ex.forward(doc=ours)
    if not reply.ok:
        return reply
    doc = reply.json()
    base, current = doc.get("baseline_score"), doc.get("candidate_score")
    delta = None if base is None or current is None else current - base
    old = {
        "run_id": doc["candidate_run_id"],
        "baseline_name": doc["baseline"],
        "metric_name": doc["metric"],
        "baseline_value": base,
        "current_value": current,
        "delta": delta,
        "delta_percent": None if delta is None or not base else delta / base * 100.0,
        "details": {"reason": doc["reason"], "tolerance": doc["tolerance"]},
    }
    return Reply.of(200, beside(doc, old))


ROUTES = (
    route("POST", "/api/tunix/runs/{run_id}/evaluate", evaluate),
    route("GET", "/api/tunix/runs/{run_id}/evaluation", evaluation_get),
    route("GET", "/api/tunix/evaluations", leaderboard),
    route("POST", "/api/regression/baselines", baseline),
    route("POST", "/api/regression/check", check),
)
