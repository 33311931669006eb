"""Parsing trace JSON into ``TraceCreate`` with every problem named by its path."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tunix_rt.errors import InvalidInput, Problem
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


def parse_batch(body: bytes, *, max_traces: int) -> list[CanonicalTrace]:
    """A batch body (``{"traces": [...]}`` or ``[...]``), validated in one pass."""
    start = body.lstrip()[:1]
    prefix = "traces" if start == b"[" else ""
    try:
        if start == b"[":
            docs = TRACE_DOCS.validate_json(body)
        else:
            docs = TRACE_BATCH_DOC.validate_json(body)["traces"]
    except ValidationError as exc:
        raise InvalidInput("invalid trace batch", problems=problems_from(exc, prefix)) from None
    if len(docs) > max_traces:
        raise InvalidInput(f"traces: at most {max_traces} traces per request, got {len(docs)}")
    return [CanonicalTrace.of(dict(doc)) for doc in docs]


def parse_trace(doc: Any, prefix: str = "") -> CanonicalTrace:
    """One already-decoded trace document; raises ``InvalidInput`` naming each problem."""
    try:
        return CanonicalTrace.of(dict(TRACE_DOC.validate_python(doc)))
    except ValidationError as exc:
        raise InvalidInput("invalid trace", problems=problems_from(exc, prefix)) from None


def parse_trace_json(line: bytes) -> CanonicalTrace | None:
    """A trace straight from JSON in the exact format, or ``None`` if that does not validate."""
    try:
        return CanonicalTrace.of(dict(TRACE_DOC.validate_json(line)))
    except ValidationError:
        return None
