"""A plain-Python accelerator for the common case: a decoded trace that is exactly valid.

``is_plainly_valid`` returns True only for documents that ``TraceDoc`` accepts unchanged (no
coercion, steps already ordered by ``i``). Anything else goes through pydantic, which either
coerces it or words the problems, so the accelerator never changes what is accepted.
"""

from __future__ import annotations

from typing import Any

import orjson

from tunix_rt.traces.schemas import CanonicalTrace

_KEYS = frozenset({"trace_version", "prompt", "steps", "final_answer", "meta"})
_STEP_KEYS = frozenset({"i", "type", "content"})


def _text(value: Any, longest: int) -> bool:
    return type(value) is str and 0 < len(value) <= longest


def _steps_ok(steps: Any) -> bool:
    # Checks written out inline: this loop runs for every step of every imported trace.
    if type(steps) is not list or not 0 < len(steps) <= 1_000:
        return False
    last = -1
    for step in steps:
        if type(step) is not dict or step.keys() != _STEP_KEYS:
            return False
        i, kind, content = step["i"], step["type"], step["content"]
        if not (
            type(i) is int
            and i > last
            and type(kind) is str
            and 0 < len(kind) <= 64
            and type(content) is str
            and 0 < len(content) <= 20_000
        ):
            return False
        last = i
    return True


def _meta_ok(meta: Any) -> bool:
    if meta is None:
        return True
    if type(meta) is not dict:
        return False
    tags = meta.get("tags", [])
    return type(tags) is list and all(type(t) is str and t for t in tags)


def is_plainly_valid(doc: Any) -> bool:
    """Whether ``doc`` is a valid trace that validation would return unchanged."""
    return (
        type(doc) is dict
        and doc.keys() <= _KEYS
        and _text(doc.get("prompt"), 50_000)
        and _text(doc.get("final_answer"), 50_000)
        and ("trace_version" not in doc or _text(doc["trace_version"], 64))
        and _steps_ok(doc.get("steps"))
        and _meta_ok(doc.get("meta"))
    )


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def nul_fields(canon: CanonicalTrace) -> list[str]:
    """Fields holding a NUL character, which PostgreSQL cannot store in text or jsonb."""
    # orjson writes NUL as \u0000, so clean JSON (the usual case) is never decoded again.
    meta = canon.meta_json or ""
    if not (
        "\x00" in canon.prompt
        or "\x00" in canon.final_answer
        or "\x00" in canon.trace_version
        or "\\u0000" in canon.steps_json
        or "\\u0000" in meta
    ):
        return []
    found = [
        name
        for name, text in (
            ("trace_version", canon.trace_version),
            ("prompt", canon.prompt),
            ("final_answer", canon.final_answer),
        )
        if "\x00" in text
    ]
    if "\\u0000" in canon.steps_json:
        steps = orjson.loads(canon.steps_json)
        found += [f"steps[{n}]" for n, step in enumerate(steps) if _has_nul(step)]
    if "\\u0000" in meta and _has_nul(orjson.loads(meta)):
        found.append("meta")
    return found
