"""The one access dependency: bearer token or session cookie, scope check, audit of writes.

Every router declares its rule once, ``APIRouter(dependencies=[by_method])`` (GET/HEAD need
``read``, other methods ``write``); admin routes add ``requires(Scope.ADMIN)``. The audit row is
added to the request's own session, so it commits with the write or rolls back with it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tunix_rt.api.deps import SessionDep, SettingsDep
from tunix_rt.auth import service
from tunix_rt.auth.cache import VerifiedTokens
from tunix_rt.auth.schemas import ANONYMOUS, AuditRequest, Principal
from tunix_rt.auth.tokens import ALL_SCOPES, Scope, grants
from tunix_rt.settings import AuthMode, Settings

SESSION_COOKIE = "tunix_rt_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANONYMOUS_PRINCIPAL = Principal(name=ANONYMOUS, scopes=ALL_SCOPES)

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="BearerToken",
    description="An API token (`tunix-rt tokens create NAME --scope read|write|admin`).",
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def unauthorized(detail: str) -> HTTPException:
    """401 with the challenge a client needs to retry with a token."""
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def _presented(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The bearer token, else the session cookie's, else None (records which on request.state)."""
    request.state.via_cookie = False
    if credentials is not None:
        return credentials.credentials
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        request.state.via_cookie = True
        return cookie
    return None


def refuse_cross_site(request: Request) -> None:
    """CSRF defence in depth for cookie writes: the Origin, when sent, must be this host."""
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") == "cross-site" or (
        origin is not None and urlsplit(origin).netloc.lower() != request.headers.get("host", "")
    ):
        raise HTTPException(403, detail="cross-site request refused (Origin is not this host)")


async def current_principal(
    request: Request, session: SessionDep, settings: SettingsDep, credentials: BearerDep
) -> Principal:
    """Who is calling (cached on ``request.state``); 401 for a missing or bad token."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    if settings.auth is AuthMode.OFF:
        principal = ANONYMOUS_PRINCIPAL
    else:
        token = _presented(request, credentials)
        if token is None:
            raise unauthorized("missing token: send Authorization: Bearer <token>")
        cache: VerifiedTokens = request.app.state.verified_tokens
        verified = cache.get(token)
        if verified is None:
            try:
                verified = await service.authenticate(session=session, token=token)
            except service.Unauthenticated as exc:
                raise unauthorized(exc.message) from None
            cache.put(token, verified)
        principal = verified.principal
        if getattr(request.state, "via_cookie", False) and request.method not in SAFE_METHODS:
            refuse_cross_site(request)
    request.state.principal = principal
    return principal


def _operation_id(request: Request, route: APIRoute) -> str:
    """The route's OpenAPI operation id, named by the app's id function (``runs-cancel_run``)."""
    name_of = getattr(request.app.router, "generate_unique_id_function", None)
    if isinstance(name_of, DefaultPlaceholder):
        name_of = name_of.value
    return str(name_of(route)) if callable(name_of) else route.unique_id


def _audit_request(request: Request) -> AuditRequest:
    route = request.scope.get("route")
    template = route.path if isinstance(route, APIRoute) else request.url.path
    action = _operation_id(request, route) if isinstance(route, APIRoute) else request.url.path
    params = {k: str(v) for k, v in request.path_params.items()}
    return AuditRequest(
        method=request.method, route=template, action=action, target=request.url.path,
        params=params,
    )  # fmt: skip


def _known_status(request: Request, response: Response) -> int | None:
    """The status FastAPI will send, when the handler did not build its own response."""
    route = request.scope.get("route")
    if response.status_code:
        return response.status_code
    if isinstance(route, APIRoute):
        return route.status_code or (200 if route.response_model is not None else None)
    return None


class Requires:
    """A route's access rule: the scope it needs (``None``: by method), and the audit of writes.

    ``unless``: a setting under which the route is open to anyone (``/metrics``).
    """

    def __init__(self, scope: Scope | None, unless: Callable[[Settings], bool] | None = None):
        self.scope = scope
        self.unless = unless

    def needed(self, method: str) -> Scope:
        """The scope a request with ``method`` needs on this route."""
        if self.scope is not None:
            return self.scope
        return Scope.READ if method in SAFE_METHODS else Scope.WRITE

    async def __call__(
        self,
        request: Request,
        response: Response,
        session: SessionDep,
        settings: SettingsDep,
        credentials: BearerDep,
    ) -> AsyncIterator[Principal | None]:
        if self.unless is not None and self.unless(settings):
            yield None
            return
        principal = await current_principal(request, session, settings, credentials)
        needed = self.needed(request.method)
        if not grants(principal.scopes, needed):
            raise HTTPException(403, detail=f"this needs the {needed.value!r} scope")
        event = None
        if request.method not in SAFE_METHODS and not getattr(request.state, "audited", False):
            request.state.audited = True
            event = service.record_event(
                session=session, principal=principal, request=_audit_request(request)
            )
        yield principal
        if event is not None:
            event.status = _known_status(request, response)


def requires(scope: Scope | None, unless: Callable[[Settings], bool] | None = None) -> DependsParam:
    """The dependency for a route or router: ``dependencies=[requires(Scope.ADMIN)]``."""
    dependency: DependsParam = Depends(Requires(scope, unless), scope="function")
    return dependency


def _metrics_public(settings: Settings) -> bool:
    return settings.metrics_public


# GET/HEAD need read, other methods write: the rule most routers declare.
by_method = requires(None)
# /metrics: read, unless settings.metrics_public.
metrics_access = requires(Scope.READ, unless=_metrics_public)
PrincipalDep = Annotated[Principal, Depends(current_principal, scope="function")]
