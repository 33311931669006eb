"""Parsing trace JSON into ``TraceCreate`` with every problem named by its path."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.traces.schemas import TraceBatchCreate, TraceCreate

MAX_PROBLEMS = 50
_TRACE_LIST = TypeAdapter(list[TraceCreate])


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


def parse_batch(body: bytes, *, max_traces: int) -> list[TraceCreate]:
    """A batch body (``{"traces": [...]}`` or ``[...]``), validated in one pass."""
    start = body.lstrip()[:1]
    prefix = "traces" if start == b"[" else ""
    try:
        if start == b"[":
            traces = _TRACE_LIST.validate_json(body)
        else:
            traces = TraceBatchCreate.model_validate_json(body).traces
    except ValidationError as exc:
        raise InvalidInput("invalid trace batch", problems=problems_from(exc, prefix)) from None
    if len(traces) > max_traces:
        raise InvalidInput(f"traces: at most {max_traces} traces per request, got {len(traces)}")
    return traces


def parse_trace(doc: Any, prefix: str = "") -> TraceCreate:
    """One already-decoded trace document; raises ``InvalidInput`` naming each problem."""
    try:
        return TraceCreate.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInput("invalid trace", problems=problems_from(exc, prefix)) from None
