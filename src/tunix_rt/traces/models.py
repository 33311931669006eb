"""Trace tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tunix_rt.db.base import Base, JsonDoc, UuidPk, utcnow


class Trace(UuidPk, Base):
    """One reasoning trace: a prompt, ordered steps and a final answer."""

    __tablename__ = "traces"

    # sha256 over the canonical JSON of the trace's content: re-imports are recognised.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    trace_version: Mapped[str] = mapped_column(String(64))
    prompt: Mapped[str] = mapped_column(Text)
    final_answer: Mapped[str] = mapped_column(Text)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    meta: Mapped[dict[str, Any] | None]
    # Denormalised from meta so filters run in the database on an index.
    source: Mapped[str | None] = mapped_column(String(200), index=True)
    category: Mapped[str | None] = mapped_column(String(200), index=True)
    difficulty: Mapped[str | None] = mapped_column(String(64), index=True)
    step_count: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_traces_created_at_id", "created_at", "id"),)


class TraceTag(Base):
    """A tag on a trace (``meta.tags``), one row per tag so tag filters use an index."""

    __tablename__ = "trace_tags"

    trace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("traces.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
