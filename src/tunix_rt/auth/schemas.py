"""Auth schemas for the API and CLI: tokens, the signed-in principal, audit events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tunix_rt.auth.tokens import MAX_TOKEN_LENGTH, Scope, implied

TOKEN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@:-]*$"
ANONYMOUS = "anonymous"


class AuthState(StrEnum):
    """Whether the server asks for a token (``settings.auth``), as the UI sees it."""

    REQUIRED = "required"
    OFF = "off"


class TokenState(StrEnum):
    """Whether a token still authenticates."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token (by name) or ``anonymous`` when auth is off."""

    name: str
    scopes: frozenset[Scope]
    token_id: uuid.UUID | None = None


class TokenCreate(BaseModel):
    """A new token: its name, scopes and optional lifetime."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=TOKEN_NAME_PATTERN)
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.READ], min_length=1, max_length=3)
    # strict: JSON Schema integers are not booleans (`true` must not read as 1 day)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, strict=True)

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, value: list[Scope]) -> list[Scope]:
        return sorted(set(value), key=list(Scope).index)


class TokenPublic(BaseModel):
    """A stored token, without its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[Scope]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    state: TokenState


class TokenCreated(TokenPublic):
    """A new token's record plus the token itself, shown this once."""

    token: str


class SessionCreate(BaseModel):
    """Sign in with a token: the server keeps it in an HttpOnly cookie."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


class Me(BaseModel):
    """Who the caller is, and whether the server requires a token."""

    name: str
    scopes: list[Scope]
    auth: AuthState
    token_id: uuid.UUID | None

    @classmethod
    def of(cls, principal: Principal, auth: AuthState) -> Me:
        """The public view of a principal (scopes listed with what they imply)."""
        scopes = sorted(implied(principal.scopes), key=list(Scope).index)
        return cls(name=principal.name, scopes=scopes, auth=auth, token_id=principal.token_id)


class AuditEventPublic(BaseModel):
    """One audited write."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor: str
    token_id: uuid.UUID | None
    method: str
    route: str
    action: str
    target: str
    params: dict[str, Any]
    status: int | None


@dataclass(frozen=True)
class AuditRequest:
    """What the API knows about a write when it records it."""

    method: str
    route: str
    action: str
    target: str
    params: dict[str, str]
