"""Auth routes: who am I, the sign-in session cookie, tokens (admin) and the audit log (admin)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tunix_rt.api.auth import (
    SESSION_COOKIE,
    PrincipalDep,
    refuse_cross_site,
    requires,
    unauthorized,
)
from tunix_rt.api.deps import LimitQuery, OffsetQuery, SessionDep, SettingsDep
from tunix_rt.auth import service
from tunix_rt.auth.schemas import (
    AuditEventPublic,
    AuthState,
    Me,
    SessionCreate,
    TokenCreate,
    TokenCreated,
    TokenPublic,
)
from tunix_rt.auth.tokens import Scope
from tunix_rt.db.base import utcnow
from tunix_rt.pagination import DEFAULT_LIMIT, Page, page_of

router = APIRouter(tags=["auth"])
# A session cookie without a token expiry still ends; signing in again is cheap.
COOKIE_MAX_AGE = timedelta(days=30)


@router.get("/api/auth/me", dependencies=[requires(Scope.READ)])
async def get_me(principal: PrincipalDep, settings: SettingsDep) -> Me:
    """The signed-in token (or ``anonymous`` when auth is off) and its scopes."""
    return Me.of(principal, AuthState(settings.auth.value))


@router.post("/api/auth/session", responses={401: {"description": "Bad token"}})
async def create_session(
    body: SessionCreate, request: Request, response: Response, session: SessionDep,
    settings: SettingsDep,
) -> Me:  # fmt: skip
    """Sign in: verify a token and keep it in an HttpOnly, SameSite=Strict cookie."""
    refuse_cross_site(request)
    try:
        verified = await service.authenticate(session=session, token=body.token)
    except service.Unauthenticated as exc:
        raise unauthorized(exc.message) from None
    max_age = COOKIE_MAX_AGE
    if verified.expires_at is not None:
        max_age = min(max_age, verified.expires_at - utcnow())
    response.set_cookie(
        SESSION_COOKIE, body.token, max_age=int(max_age.total_seconds()), path="/",
        httponly=True, samesite="strict", secure=request.url.scheme == "https",
    )  # fmt: skip
    return Me.of(verified.principal, AuthState(settings.auth.value))


@router.delete("/api/auth/session", status_code=204)
async def delete_session(response: Response) -> None:
    """Sign out: clear the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


@router.post("/api/auth/tokens", status_code=201, dependencies=[requires(Scope.ADMIN)])
async def create_token(
    body: TokenCreate, session: SessionDep, principal: PrincipalDep
) -> TokenCreated:
    """Create a token; the response carries the token itself, shown this once."""
    return await service.create_token(session=session, body=body, created_by=principal.name)


@router.get("/api/auth/tokens", dependencies=[requires(Scope.ADMIN)])
async def list_tokens(
    session: SessionDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[TokenPublic]:
    """Every token, newest first (never their secrets)."""
    rows = await service.list_tokens(session=session, limit=limit, offset=offset)
    total = await service.count_tokens(session=session)
    data = [TokenPublic.model_validate(r) for r in rows]
    return page_of(data, limit=limit, offset=offset, total=total)


@router.post("/api/auth/tokens/{token_id}/revoke", dependencies=[requires(Scope.ADMIN)])
async def revoke_token(request: Request, token_id: uuid.UUID, session: SessionDep) -> TokenPublic:
    """Revoke a token: it stops authenticating at once on this server (on other server
    processes within ``auth_cache_s``)."""
    token = await service.get_token(session=session, token_id=token_id)
    revoked = TokenPublic.model_validate(await service.revoke_token(session=session, token=token))
    # Committed before the cache is cleared, so no request can re-cache the unrevoked row.
    await session.commit()
    request.app.state.verified_tokens.clear()
    return revoked


@router.get("/api/audit", dependencies=[requires(Scope.ADMIN)])
async def list_audit(
    session: SessionDep,
    actor: Annotated[str | None, Query(max_length=200, description="Token name.")] = None,
    action: Annotated[str | None, Query(max_length=200, description="Operation id.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[AuditEventPublic]:
    """Audited writes, newest first."""
    rows = await service.list_events(
        session=session, actor=actor, action=action, limit=limit, offset=offset
    )
    total = await service.count_events(session=session, actor=actor, action=action)
    data = [AuditEventPublic.model_validate(r) for r in rows]
    return page_of(data, limit=limit, offset=offset, total=total)
