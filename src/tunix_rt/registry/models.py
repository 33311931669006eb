"""Registry tables: model families, their versions, and movable aliases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tunix_rt.db.base import Base, UuidPk, utcnow


class ModelFamily(UuidPk, Base):
    """A named line of models (e.g. ``arith-tutor``) whose versions are compared and promoted."""

    __tablename__ = "model_families"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelVersion(UuidPk, Base):
    """An immutable model in the content-addressed store, with evidence of where it came from."""

    __tablename__ = "model_versions"

    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_families.id", ondelete="CASCADE"), index=True
    )
    # Auto-incremented per family unless a label is given.
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    archive_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    file_count: Mapped[int] = mapped_column(Integer)
    storage_path: Mapped[str] = mapped_column(Text)
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    provenance: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("family_id", "label", name="uq_model_versions_family_label"),
        UniqueConstraint("family_id", "sha256", name="uq_model_versions_family_sha256"),
    )


class ModelAlias(Base):
    """A movable name (``champion``, ``candidate``) pointing at one version of a family."""

    __tablename__ = "model_aliases"

    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_families.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(100), primary_key=True)
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
