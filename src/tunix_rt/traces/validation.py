"""Parsing trace JSON into ``CanonicalTrace`` with every problem named by its path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from pydantic import ValidationError

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.gcpause import gc_paused
from tunix_rt.traces.fastcheck import is_plainly_valid, nul_fields
from tunix_rt.traces.schemas import TRACE_BATCH_DOC, TRACE_DOC, TRACE_DOCS, CanonicalTrace

MAX_PROBLEMS = 50


def _loc(prefix: str, parts: tuple[int | str, ...]) -> str:
    """``traces[3].steps[0].i`` from ``("traces", 3, "steps", 0, "i")``."""
    out = prefix
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """One ``Problem`` per Pydantic error; unknown keys say which key."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False)[:MAX_PROBLEMS]:
        loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
        msg = str(err["msg"])
        if err["type"] == "extra_forbidden" and loc:
            msg = f"unknown key {loc[-1]!r}"
        elif err["type"] == "json_invalid":
            msg = f"not valid JSON: {err.get('ctx', {}).get('error', msg)}"
        problems.append(Problem(_loc(prefix, loc), msg))
    return problems


def _plain_batch(body: bytes) -> list[dict[str, Any]] | None:
    """The batch's documents when every one is plainly valid, else ``None`` (use pydantic)."""
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(decoded) is dict and decoded.keys() == {"traces"}:
        decoded = decoded["traces"]
    if type(decoded) is list and all(is_plainly_valid(doc) for doc in decoded):
        return decoded
    return None


def _validated_batch(body: bytes) -> Sequence[Mapping[str, Any]]:
    start = body.lstrip()[:1]
    prefix = "traces" if start == b"[" else ""
    try:
        if start == b"[":
            return TRACE_DOCS.validate_json(body)
        return TRACE_BATCH_DOC.validate_json(body)["traces"]
    except ValidationError as exc:
        raise InvalidInput("invalid trace batch", problems=problems_from(exc, prefix)) from None


def check_storable(traces: list[CanonicalTrace], prefix: str | None = "traces") -> None:
    """``InvalidInput`` for NUL characters, which PostgreSQL cannot store."""
    problems = [
        Problem(f"{prefix}[{n}].{field}" if prefix else field, "NUL characters are not allowed")
        for n, canon in enumerate(traces)
        for field in nul_fields(canon)
    ]
    if problems:
        raise InvalidInput("invalid trace batch", problems=problems[:MAX_PROBLEMS])


def _canonical_batch(body: bytes, max_traces: int) -> list[CanonicalTrace]:
    docs: Sequence[Mapping[str, Any]] | None = _plain_batch(body)
    if docs is None:
        docs = _validated_batch(body)
    if len(docs) > max_traces:
        raise InvalidInput(f"traces: at most {max_traces} traces per request, got {len(docs)}")
    return [CanonicalTrace.of(doc) for doc in docs]


def parse_batch(body: bytes, *, max_traces: int) -> list[CanonicalTrace]:
    """A batch body (``{"traces": [...]}`` or ``[...]``), validated in one pass.

    NUL characters are left to ``store_canonical``, which rejects them before it writes.
    """
    with gc_paused():
        return _canonical_batch(body, max_traces)


def parse_trace(doc: Any, prefix: str = "") -> CanonicalTrace:
    """One already-decoded trace document; raises ``InvalidInput`` naming each problem."""
    try:
        canon = CanonicalTrace.of(TRACE_DOC.validate_python(doc))
    except ValidationError as exc:
        raise InvalidInput("invalid trace", problems=problems_from(exc, prefix)) from None
    check_storable([canon], prefix=None)
    return canon


def parse_plain_line(line: bytes) -> CanonicalTrace | None:
    """A trace from a JSONL line in the exact format, or ``None`` (use ``parse_trace``)."""
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not is_plainly_valid(doc):
        return None
    canon = CanonicalTrace.of(doc)
    return None if nul_fields(canon) else canon
