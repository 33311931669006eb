"""Earlier trace and High Card Duel routes: batch, get, score, compare, generate, export."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from tunix_rt import errors
from tunix_rt.api.compat.exchange import Exchange, Reply, beside, percent, route

_PAYLOAD_KEYS = ("trace_version", "prompt", "final_answer", "steps", "meta")
_DUEL_CATEGORY = "high_card_duel"
_EMPTY_ARRAY = re.compile(rb"\s*\[\s*\]\s*")


def with_payload(trace: dict[str, Any]) -> dict[str, Any]:
    """A trace of ours plus the earlier ``payload`` (the trace document as submitted)."""
    return beside(trace, {"payload": {k: trace.get(k) for k in _PAYLOAD_KEYS}})


async def get_trace(ex: Exchange, trace_id: str) -> Reply:
    """Our ``GET /api/traces/{id}``."""
    return await ex.call("GET", f"/api/traces/{trace_id}")


async def batch(ex: Exchange) -> Reply:
    """An empty batch is refused (as before); the answer adds ``created_count`` and ``traces``."""
    if _EMPTY_ARRAY.fullmatch(ex.body):  # checked without parsing a large batch twice
        raise errors.InvalidInput(
            problems=[errors.Problem("body", "the batch must hold at least one trace")]
        )
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    traces = []
    for trace_id in doc["ids"]:  # one read each: the earlier answer listed created_at
        got = await get_trace(ex, trace_id)
        if got.ok:
            trace = got.json()
            traces.append({k: trace[k] for k in ("id", "created_at", "trace_version")})
    return Reply.of(reply.status, beside(doc, {"created_count": doc["created"], "traces": traces}))


async def one(ex: Exchange) -> Reply:
    """A trace with its earlier ``payload``."""
    reply = await ex.forward()
    return Reply.of(reply.status, with_payload(reply.json())) if reply.ok else reply


async def score(ex: Exchange) -> Reply:
    """``criteria`` is our ``scorer``; the score is on 0-100 with the earlier ``details``."""
    body = ex.object()
    criteria = body.get("criteria", "baseline")
    reply = await ex.forward(doc={"scorer": criteria})
    if not reply.ok:
        return reply
    got = await get_trace(ex, ex.params["trace_id"])
    steps = got.json()["steps"] if got.ok else []
    total = sum(len(s["content"]) for s in steps)
    ours = reply.json()
    details = {
        "step_count": ours["step_count"],
        "avg_step_length": total / len(steps) if steps else 0.0,
        "total_chars": total,
        # Our baseline scorer has one score, not the earlier two parts.
        "step_score": None,
        "length_score": None,
        "criteria": criteria,
        "scored_at": datetime.now(UTC).isoformat(),
    }
    old = {"trace_id": ex.params["trace_id"], "score": percent(ours["score"]), "details": details}
    return Reply.of(201, beside(ours, old))


def _compared(trace: dict[str, Any], scores: list[dict[str, Any]]) -> dict[str, Any]:
    first = next((s["score"] for s in scores if s.get("scorer") == "baseline"), None)
    return beside(with_payload(trace), {"score": percent(first)})


async def compare(ex: Exchange) -> Reply:
    """Each side gains ``payload`` and its baseline ``score`` on 0-100."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    doc["base"] = _compared(doc["base"], doc["base_scores"])
    doc["other"] = _compared(doc["other"], doc["other_scores"])
    return Reply.of(200, doc)


def _preview(trace_id: str | None, trace: dict[str, Any]) -> dict[str, Any]:
    first = trace["steps"][1]["content"] if len(trace["steps"]) > 1 else ""
    card = first.split(": ", 1)[1].split(" rank")[0] if ": " in first else None
    return {
        "trace_id": trace_id,
        "game": _DUEL_CATEGORY,
        "result": trace["final_answer"],
        "my_card": card,
    }


async def generate(ex: Exchange) -> Reply:
    """``persist`` defaults to true again (the earlier default); the answer adds ``preview``."""
    body = {"persist": True, **ex.object()}
    reply = await ex.forward(doc=body)
    if not reply.ok:
        return reply
    doc = reply.json()
    ids: list[str | None] = list(doc["trace_ids"]) or [None] * len(doc["traces"])
    preview = [_preview(i, t) for i, t in zip(ids, doc["traces"], strict=False)]
    return Reply.of(201, beside(doc, {"preview": preview}))


def _line(trace: dict[str, Any]) -> bytes:
    return json.dumps({k: trace[k] for k in _PAYLOAD_KEYS}, ensure_ascii=False).encode() + b"\n"


async def export(ex: Exchange) -> Reply:
    """The earlier export: STORED duels (``trace_ids``, or the newest ``limit``), not new deals.

    Without ``limit`` or ``trace_ids`` the request is ours (deal ``count`` duels from ``seed``).
    """
    query = ex.query
    if "limit" not in query and "trace_ids" not in query:
        return await ex.forward()
    unknown = sorted(set(query) - {"limit", "trace_ids"})
    if unknown:
        problems = [
            errors.Problem(f"query.{k}", "the earlier export takes limit and trace_ids")
            for k in unknown
        ]
        raise errors.InvalidInput(problems=problems)
    if "trace_ids" in query:
        traces = []
        for trace_id in [t for t in query["trace_ids"].split(",") if t]:
            got = await get_trace(ex, trace_id)
            if not got.ok:
                return got
            traces.append(got.json())
    else:
        listed = await ex.call(
            "GET", "/api/traces", query={"category": _DUEL_CATEGORY, "limit": query["limit"]}
        )
        if not listed.ok:
            return listed
        traces = listed.json()["data"]
    body = b"".join(_line(t) for t in traces)
    return Reply.text(200, body, "application/x-ndjson")


ROUTES = (
    route("POST", "/api/traces/batch", batch),
    route("GET", "/api/traces/compare", compare),
    route("GET", "/api/traces/{trace_id}", one),
    route("POST", "/api/traces/{trace_id}/score", score),
    route("POST", "/api/ungar/high-card-duel/generate", generate),
    route("GET", "/api/ungar/high-card-duel/export.jsonl", export),
)
