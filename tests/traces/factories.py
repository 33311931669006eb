"""Plain factory functions for trace tests."""

from typing import Any

from tunix_rt.traces.schemas import TraceCreate


def trace_doc(n: int, **overrides: Any) -> dict[str, Any]:
    """A valid trace document whose content depends on ``n``."""
    doc: dict[str, Any] = {
        "trace_version": "1.0",
        "prompt": f"What is {n} + {n + 1}?",
        "steps": [
            {"i": 0, "type": "parse", "content": f"add {n} and {n + 1}"},
            {"i": 1, "type": "compute", "content": f"{n} + {n + 1} = {2 * n + 1}"},
        ],
        "final_answer": str(2 * n + 1),
        "meta": {"source": "test", "category": "add", "difficulty": "easy", "tags": ["add"]},
    }
    doc.update(overrides)
    return doc


def trace_in(n: int, **overrides: Any) -> TraceCreate:
    """A validated ``TraceCreate`` for ``trace_doc(n)``."""
    return TraceCreate.model_validate(trace_doc(n, **overrides))
