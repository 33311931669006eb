"""Token and audit-log operations over an ``AsyncSession`` (callers commit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt import errors
from tunix_rt.auth import tokens
from tunix_rt.auth.models import ApiToken, AuditEvent
from tunix_rt.auth.schemas import AuditRequest, Principal, TokenCreate, TokenCreated, TokenPublic
from tunix_rt.auth.tokens import Scope
from tunix_rt.db.base import utcnow

BOOTSTRAP_NAME = "bootstrap"
# last_used_at is refreshed at most this often, so reads do not each write a row.
TOUCH_INTERVAL = timedelta(minutes=1)


class Unauthenticated(errors.TunixRtError):
    """The token is missing, unknown, revoked or expired."""


@dataclass(frozen=True)
class Authenticated:
    """A verified token's principal and expiry."""

    expires_at: datetime | None
    principal: Principal


async def _unused_prefix(session: AsyncSession) -> str:
    for _ in range(8):
        prefix = tokens.generate_prefix()
        if await session.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
            return prefix
    raise errors.Conflict("could not find an unused token prefix")


async def create_token(
    *, session: AsyncSession, body: TokenCreate, created_by: str
) -> TokenCreated:
    """Store a new token (hashed) and return its record with the token, shown this once."""
    if await session.scalar(select(ApiToken.id).where(ApiToken.name == body.name)) is not None:
        raise errors.Conflict(
            f"a token named {body.name!r} already exists",
            problems=[errors.Problem("name", "already exists")],
        )
    prefix = await _unused_prefix(session)
    token = tokens.format_token(prefix)
    salt = tokens.new_salt()
    expires_at = utcnow() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    row = ApiToken(
        name=body.name, prefix=prefix, secret_hash=tokens.hash_token(token, salt), salt=salt,
        scopes=[str(s) for s in body.scopes], created_by=created_by, expires_at=expires_at,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    public = TokenPublic.model_validate(row)
    return TokenCreated(**public.model_dump(), token=token)


async def list_tokens(*, session: AsyncSession, limit: int, offset: int) -> list[ApiToken]:
    """Tokens newest first; ``limit + 1`` rows so the caller can tell whether more exist."""
    stmt = (
        select(ApiToken)
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
        .limit(limit + 1)
        .offset(offset)
    )
    return list((await session.scalars(stmt)).all())


async def count_tokens(*, session: AsyncSession) -> int:
    """Every token (the list's total)."""
    return int(await session.scalar(select(func.count()).select_from(ApiToken)) or 0)


async def get_token(*, session: AsyncSession, token_id: uuid.UUID) -> ApiToken:
    """One token by id."""
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise errors.NotFound(f"no token {token_id}")
    return row


async def find_token(*, session: AsyncSession, name_or_prefix: str) -> ApiToken:
    """A token by its name, or else by its prefix."""
    for column in (ApiToken.name, ApiToken.prefix):
        row = await session.scalar(select(ApiToken).where(column == name_or_prefix))
        if row is not None:
            return row
    raise errors.NotFound(f"no token named or prefixed {name_or_prefix!r}")


async def revoke_token(*, session: AsyncSession, token: ApiToken) -> ApiToken:
    """Revoke a token (idempotent: the first revocation time is kept)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.flush()
    return token


def principal_of(token: ApiToken) -> Principal:
    """The principal a verified token stands for."""
    scopes = frozenset(scope for scope in Scope if scope.value in token.scopes)
    return Principal(name=token.name, scopes=scopes, token_id=token.id)


# The columns a request's authentication reads: one small row, no ORM identity bookkeeping.
_VERIFY_COLUMNS = select(
    ApiToken.id, ApiToken.name, ApiToken.salt, ApiToken.secret_hash, ApiToken.scopes,
    ApiToken.last_used_at, ApiToken.expires_at, ApiToken.revoked_at,
)  # fmt: skip


async def authenticate(*, session: AsyncSession, token: str) -> Authenticated:
    """Verify a presented token: well-formed, known, hash matches, not revoked, not expired.

    Refreshes ``last_used_at`` at most once per ``TOUCH_INTERVAL``.
    """
    parsed = tokens.parse_token(token)
    if parsed is None:
        raise Unauthenticated("malformed token")
    row = (await session.execute(_VERIFY_COLUMNS.where(ApiToken.prefix == parsed.prefix))).first()
    if row is None or not tokens.verify_token(token, salt=row.salt, secret_hash=row.secret_hash):
        raise Unauthenticated("unknown token")
    now = utcnow()
    if row.revoked_at is not None:
        raise Unauthenticated("token revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated("token expired")
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        await session.execute(
            update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
        )
    scopes = frozenset(scope for scope in Scope if scope.value in row.scopes)
    principal = Principal(name=row.name, scopes=scopes, token_id=row.id)
    return Authenticated(expires_at=row.expires_at, principal=principal)


def _usable_admin(row: ApiToken, now: datetime) -> bool:
    live = row.revoked_at is None and (row.expires_at is None or row.expires_at > now)
    return live and tokens.grants(row.scopes, Scope.ADMIN)


async def has_usable_admin(*, session: AsyncSession) -> bool:
    """Whether some live (not revoked, not expired) token holds ``admin``."""
    rows = await session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None)))
    now = utcnow()
    return any(_usable_admin(row, now) for row in rows)


async def create_bootstrap_token(*, session: AsyncSession) -> TokenCreated:
    """An admin token named ``bootstrap`` (``bootstrap-2``... when that name is taken)."""
    taken = set(
        await session.scalars(select(ApiToken.name).where(ApiToken.name.like(f"{BOOTSTRAP_NAME}%")))
    )
    name = next(
        n for n in (BOOTSTRAP_NAME, *(f"{BOOTSTRAP_NAME}-{i}" for i in range(2, 10_000)))
        if n not in taken
    )  # fmt: skip
    body = TokenCreate(name=name, scopes=[Scope.ADMIN])
    return await create_token(session=session, body=body, created_by="serve")


def record_event(
    *, session: AsyncSession, principal: Principal, request: AuditRequest
) -> AuditEvent:
    """Add an audit row for a write to the caller's session (committed with the write)."""
    event = AuditEvent(
        actor=principal.name, token_id=principal.token_id, method=request.method,
        route=request.route, action=request.action, target=request.target,
        params=dict(request.params),
    )  # fmt: skip
    session.add(event)
    return event


def _events_where(stmt: Select[Any], actor: str | None, action: str | None) -> Select[Any]:
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return stmt


async def count_events(*, session: AsyncSession, actor: str | None, action: str | None) -> int:
    """Audit events matching the list's filters (its total)."""
    stmt = _events_where(select(func.count()).select_from(AuditEvent), actor, action)
    return int(await session.scalar(stmt) or 0)


async def list_events(
    *, session: AsyncSession, actor: str | None, action: str | None, limit: int, offset: int
) -> list[AuditEvent]:
    """Audit events newest first, filtered by exact actor and action; ``limit + 1`` rows."""
    stmt = _events_where(select(AuditEvent), actor, action)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit + 1).offset(offset)
    return list((await session.scalars(stmt)).all())
