"""Earlier run routes: Tunix status, the flat run request, run lists, records and files."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import Message, Send

from tunix_rt.api.compat.datasets import train_keys
from tunix_rt.api.compat.exchange import Exchange, Reply, beside, route, status_word, streamed

_RUN_FLAGS = ("dry_run",)
_LENGTH_KEYS = ("epochs", "max_steps", "time_budget_s")
_LIST_RENAMES = {"dataset_key": "dataset", "model_id": "model"}
_OLD_STATUS = {"completed": "succeeded", "pending": "queued"}
DRY_RUN_OK = "Dry-run validation successful"


def old_run(run: dict[str, Any]) -> dict[str, Any]:
    """Our run record in the earlier run response's fields."""
    config = run.get("config") or {}
    status = status_word(run["status"])
    return {
        "run_id": run["id"],
        "status": status,
        # Every run of ours executes on this server's workers: the earlier "local" mode.
        "mode": "local",
        "dataset_key": run.get("dataset_key") or config.get("dataset") or "",
        "model_id": run.get("model") or config.get("model") or "",
        "output_dir": run["run_dir"],
        "exit_code": run.get("exit_code"),
        # Logs are streamed by GET …/logs; the record does not carry them.
        "stdout": "",
        "stderr": run.get("error") or "",
        "duration_seconds": run.get("duration_s"),
        "started_at": run.get("started_at") or run["created_at"],
        "completed_at": run.get("finished_at"),
        "message": run.get("error") or f"run {status}",
        "metrics": run.get("result") or {},
    }


async def tunix_status(ex: Exchange) -> Reply:
    """The earlier ``available``/``version`` of Tunix beside our backend list."""
    reply = await ex.forward()
    doc = reply.json()
    tunix = next((b for b in doc["backends"] if b["name"] == "tunix"), None)
    available = bool(tunix and tunix["available"])
    old = {
        "available": available,
        "version": tunix["version"] if tunix else None,
        "runtime_required": True,
        "message": (tunix or {}).get("detail") or ("installed" if available else "not installed"),
    }
    return Reply.of(reply.status, beside(doc, old))


def _dry_run_reply(flat: dict[str, Any], started: datetime, ok: bool, text: str) -> Reply:
    """The earlier dry-run answer: a completed (or failed) run record that was never stored."""
    now = datetime.now(UTC)
    doc = {
        "run_id": str(uuid.uuid4()),
        "status": "completed" if ok else "failed",
        "mode": "dry-run",
        "dataset_key": flat.get("dataset_key", ""),
        "model_id": flat.get("model_id", ""),
        "output_dir": flat.get("output_dir", ""),
        "exit_code": 0 if ok else 1,
        "stdout": text if ok else "",
        "stderr": "" if ok else text,
        "duration_seconds": (now - started).total_seconds(),
        "started_at": started.isoformat(),
        "completed_at": now.isoformat(),
        "message": DRY_RUN_OK if ok else f"Dry-run validation failed: {text}",
    }
    return Reply.of(200, doc)


async def submit(ex: Exchange) -> Reply:
    """The earlier flat ``TunixRunRequest``: its training fields become ``config``."""
    flat = ex.object()
    if "config" in flat:
        return await ex.forward()
    config = train_keys({k: v for k, v in flat.items() if k not in _RUN_FLAGS})
    if not any(k in config for k in _LENGTH_KEYS):
        config["epochs"] = 1
    dry = bool(flat.get("dry_run", False))
    started = datetime.now(UTC)
    reply = await ex.forward(doc={"config": config, "dry_run": dry})
    if dry:
        doc = reply.json()
        if reply.ok:
            return _dry_run_reply(flat, started, True, "\n".join(doc.get("checks", [])))
        if reply.status == 422:  # the earlier dry run answered a failed validation as a result
            problems = "; ".join(d["msg"] for d in doc["detail"])
            return _dry_run_reply(flat, started, False, problems)
        return reply
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(reply.status, beside(doc, old_run(doc)))


async def runs_list(ex: Exchange) -> Reply:
    """``dataset_key``/``model_id`` filters renamed, the earlier status words read; each run
    gains the earlier fields."""
    query = {_LIST_RENAMES.get(k, k): v for k, v in ex.query.items()}
    if "status" in query:
        query["status"] = _OLD_STATUS.get(query["status"], query["status"])
    if query.get("mode") == "local":  # every run of ours is a local run
        query.pop("mode")
    reply = await ex.forward(query=query)
    if not reply.ok:
        return reply
    doc = reply.json()
    doc["data"] = [beside(run, old_run(run)) for run in doc["data"]]
    return Reply.of(200, doc)


async def run_get(ex: Exchange) -> Reply:
    """A run with the earlier fields."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    return Reply.of(200, beside(doc, old_run(doc)))


async def run_status(ex: Exchange) -> Reply:
    """The short status with the earlier ``run_id``, ``queued_at`` and ``completed_at``."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    record = await ex.call("GET", f"/api/tunix/runs/{ex.params['run_id']}")
    created = record.json()["created_at"] if record.ok else None
    old = {
        "run_id": doc["id"],
        "status": status_word(doc["status"]),
        "queued_at": created,
        "started_at": doc.get("started_at") or created,
        "completed_at": doc.get("finished_at"),
    }
    return Reply.of(200, beside(doc, old))


async def artifacts(ex: Exchange) -> Reply:
    """The earlier ``artifacts`` list (``path`` is the name to download)."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    files = [{"name": f["name"], "size": f["size"], "path": f["name"]} for f in doc["data"]]
    return Reply.of(200, beside(doc, {"artifacts": files}))


async def metrics(ex: Exchange) -> Reply:
    """The earlier bare array of training-loss points (our series are in ``GET …/metrics``
    sent with ``X-Tunix-RT-API: native``)."""
    reply = await ex.forward()
    if not reply.ok:
        return reply
    doc = reply.json()
    epochs = {e.get("step"): e.get("epoch", 0) for e in doc["events"] if "epoch" in e}
    points = [
        {
            "step": p["step"],
            "epoch": epochs.get(p["step"], 0),
            "loss": p["value"],
            "timestamp": p["ts"],
        }
        for p in doc["series"].get("train/loss", [])
    ]
    return Reply.of(200, points)


class _LogEvents:
    """Our SSE log stream with the earlier event data: ``chunk`` and ``created_at`` beside
    our ``line`` and ``ts``, the last ``seq`` in each heartbeat, the earlier status words."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.pending = b""
        self.seq = -1

    def _data(self, kind: bytes, doc: dict[str, Any]) -> dict[str, Any]:
        if kind == b"log":
            self.seq = doc.get("seq", self.seq)
            return beside(doc, {"chunk": doc.get("line"), "created_at": doc.get("ts")})
        if kind == b"status":
            return beside(doc, {"status": status_word(doc.get("status"))})
        return {**doc, "seq": self.seq}

    def _event(self, raw: bytes) -> bytes:
        lines = raw.split(b"\n")
        kind = next((ln[7:].strip() for ln in lines if ln.startswith(b"event: ")), b"")
        out = []
        for line in lines:
            if line.startswith(b"data: ") and kind in (b"log", b"heartbeat", b"status"):
                line = b"data: " + json.dumps(self._data(kind, json.loads(line[6:]))).encode()
            out.append(line)
        return b"\n".join(out)

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.body":
            self.pending += message.get("body", b"")
            more = message.get("more_body", False)
            done, sep, self.pending = self.pending.rpartition(b"\n\n")
            body = b"".join(self._event(e) + b"\n\n" for e in done.split(b"\n\n")) if sep else b""
            if not more:
                body, self.pending = body + self.pending, b""
            message = {**message, "body": body}
        await self.send(message)


ROUTES = (
    streamed("GET", "/api/tunix/runs/{run_id}/logs", _LogEvents),
    route("GET", "/api/tunix/status", tunix_status),
    route("POST", "/api/tunix/run", submit),
    route("GET", "/api/tunix/runs", runs_list),
    route("GET", "/api/tunix/runs/{run_id}", run_get),
    route("GET", "/api/tunix/runs/{run_id}/status", run_status),
    route("GET", "/api/tunix/runs/{run_id}/artifacts", artifacts),
    route("GET", "/api/tunix/runs/{run_id}/metrics", metrics),
)
