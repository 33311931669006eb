"""API tokens (stored hashed) and the audit log of writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tunix_rt.db.base import Base, JsonDoc, UuidPk, utcnow


class ApiToken(UuidPk, Base):
    """A bearer token: only its salted hash is kept; the token is shown once at creation."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The public lookup key (``trt_<prefix>_...``), shown in lists.
    prefix: Mapped[str] = mapped_column(String(8), unique=True, index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(32))
    # Scope names (``read``, ``write``, ``admin``), as given at creation.
    scopes: Mapped[list[str]] = mapped_column(JsonDoc)
    # The creating token's name, ``cli:<os user>`` or ``serve`` (the bootstrap token).
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def state(self) -> str:
        """``active``, ``expired`` or ``revoked`` (a TokenState value), as of now."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"


class AuditEvent(UuidPk, Base):
    """One write through the API: who, what, on which target, when, with what outcome."""

    __tablename__ = "audit_events"

    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The token's name, or ``anonymous`` when auth is off.
    actor: Mapped[str] = mapped_column(String(200), index=True)
    token_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), index=True
    )
    method: Mapped[str] = mapped_column(String(16))
    # The route template, e.g. ``/api/tunix/runs/{run_id}/cancel``.
    route: Mapped[str] = mapped_column(String(500))
    # The operation id, e.g. ``runs-cancel_run``.
    action: Mapped[str] = mapped_column(String(200), index=True)
    # The concrete path, and its path parameters.
    target: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]]
    # The HTTP status when known (null when the handler built its own response).
    status: Mapped[int | None] = mapped_column(Integer)
