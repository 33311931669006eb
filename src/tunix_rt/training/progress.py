"""A job's progress file: ``{"phase", "done", "total", "started_at", "updated_at"}``, rewritten
atomically as work advances, so a reader in another process (the API) sees whole documents.

Generation writes it per batch (phase ``generating``); the evaluate job then per judged items
(phase ``judging``). The evaluation API reads it while the evaluation runs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import orjson
from pydantic import BaseModel, ValidationError

FILE_NAME = "progress.json"


class ProgressDoc(BaseModel):
    """One phase's progress; times are Unix seconds."""

    phase: str
    done: int
    total: int
    started_at: float
    updated_at: float


def write_progress(path: Path, *, phase: str, done: int, total: int, started_at: float) -> None:
    """Replace the progress file with this phase's state."""
    doc = ProgressDoc(
        phase=phase, done=done, total=total, started_at=started_at, updated_at=time.time()
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(orjson.dumps(doc.model_dump()))
    os.replace(tmp, path)


def read_progress(path: Path) -> ProgressDoc | None:
    """The latest progress written, or None when there is none (or it cannot be read)."""
    try:
        return ProgressDoc.model_validate(orjson.loads(path.read_bytes()))
    except (OSError, orjson.JSONDecodeError, ValidationError):
        return None
