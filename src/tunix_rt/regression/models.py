"""Regression baselines: a run's evaluation on an eval set, kept under a name."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tunix_rt.db.base import Base, UuidPk, utcnow


class Baseline(UuidPk, Base):
    """The evaluation a later run must not fall (significantly) below."""

    __tablename__ = "regression_baselines"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE")
    )
    eval_set: Mapped[str] = mapped_column(String(200))
    dataset_key: Mapped[str | None] = mapped_column(String(200))
    # The judge whose score is compared (``answer_correctness`` by default).
    metric: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
