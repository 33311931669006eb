"""Request and response shapes of the UNGAR (High Card Duel) API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from tunix_rt.traces.schemas import TraceCreate

MAX_DUELS = 10_000
MAX_SEED = 2**63 - 1


class UngarStatus(BaseModel):
    """Whether the game generators are available (they are built in), which, and their version."""

    available: bool
    games: list[str]
    version: str


class DuelGenerateRequest(BaseModel):
    """``count`` duels dealt from ``seed``; stored as traces when ``persist``."""

    # strict: JSON Schema's integers are not booleans (lax pydantic read ``false`` as seed 0).
    model_config = ConfigDict(extra="forbid", strict=True)

    count: int = Field(default=10, ge=1, le=MAX_DUELS)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    persist: StrictBool = False
    hand_size: int = Field(default=1, ge=1, le=5)


class DuelGenerateResponse(BaseModel):
    """The generated traces; ``trace_ids`` (input order) and counts are set when persisted."""

    count: int
    seed: int
    persisted: bool
    created: int
    duplicates: int
    trace_ids: list[uuid.UUID]
    traces: list[TraceCreate]
