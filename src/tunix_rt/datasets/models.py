"""Dataset and eval-set tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tunix_rt.db.base import Base, JsonDoc, UuidPk, utcnow


class Dataset(UuidPk, Base):
    """An immutable, versioned selection of traces; its records live beside ``manifest.json``."""

    __tablename__ = "datasets"

    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(64))
    build_id: Mapped[uuid.UUID]
    # sha256 over the canonical record lines in manifest order: the same on every database.
    content_hash: Mapped[str] = mapped_column(String(64))
    # sha256 over the build request (filters, strategy, seed, split): the recipe's identity.
    spec_hash: Mapped[str] = mapped_column(String(64))
    strategy: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int | None]
    record_count: Mapped[int] = mapped_column(Integer)
    train_count: Mapped[int] = mapped_column(Integer)
    eval_count: Mapped[int] = mapped_column(Integer)
    parent_key: Mapped[str | None] = mapped_column(String(200))
    # The manifest without the trace-id list (which can be long, so it is loaded on demand).
    manifest: Mapped[dict[str, Any]]
    trace_ids: Mapped[list[str]] = deferred(mapped_column(JsonDoc, nullable=False))
    # One letter per record in manifest order: "t" train, "e" eval.
    splits: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("name", "version", name="uq_datasets_name_version"),)


class EvalSet(UuidPk, Base):
    """A named, immutable list of evaluation items."""

    __tablename__ = "eval_sets"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # sha256 over the canonical items in file order: re-registering identical content is a no-op.
    content_hash: Mapped[str] = mapped_column(String(64))
    item_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvalItem(UuidPk, Base):
    """One evaluation item: a prompt and its expected answer."""

    __tablename__ = "eval_items"

    eval_set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("eval_sets.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text)
    expected_answer: Mapped[str] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(200))
    difficulty: Mapped[str | None] = mapped_column(String(16))
    # sha256 of the normalised prompt, for the build-time contamination guard.
    prompt_hash: Mapped[str] = mapped_column(String(64), index=True)

    __table_args__ = (
        UniqueConstraint("eval_set_id", "item_id", name="uq_eval_items_eval_set_id_item_id"),
    )
