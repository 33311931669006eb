"""The closed surface, before any route runs: a Host allowlist, no cross-site writes, and only
the media types a route declares.

- **Host** (DNS rebinding): a request whose ``Host`` is not in ``TUNIX_RT_ALLOWED_HOSTS``
  (loopback names by default; ``*`` for any, ``*.example.com`` for a domain) gets 400.
- **Cross-site writes**: a POST, PUT, PATCH or DELETE that a browser marks as coming from another
  site (an ``Origin`` other than the request's own, or ``Sec-Fetch-Site: cross-site``) gets 403
  unless the origin is in ``TUNIX_RT_CORS_ORIGINS``. Browsers send ``Origin`` on every
  cross-origin write, including the body-less ones (cancel a run) that need no preflight.
- **Media types**: a write's ``Content-Type`` must be one its route declares (``application/json``
  for JSON bodies; ``application/x-ndjson`` or ``application/jsonl`` for the raw-body uploads,
  and ``application/vnd.apache.parquet`` where a route also takes Parquet), else 415. A form or
  ``text/plain`` post, which any web page can send, never reaches a handler.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import orjson
from fastapi import HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from tunix_rt.api.errors import ErrorItem, error_content, status_type

CROSS_SITE = "cross-site writes are refused (allow an origin with TUNIX_RT_CORS_ORIGINS)"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON = frozenset({"application/json"})
JSONL = frozenset({"application/x-ndjson", "application/jsonl"})
PARQUET = "application/vnd.apache.parquet"


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Whether a ``Host`` header value (with or without a port) is one of ``allowed``."""
    name = host.strip().lower()
    if name.startswith("["):  # [::1]:8000
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    for pattern in allowed:
        pattern = pattern.lower().strip("[]")
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def media_types(route: APIRoute) -> frozenset[str]:
    """The request media types a route accepts: its declared ``requestBody`` or JSON."""
    extra: dict[str, Any] = route.openapi_extra or {}
    declared = extra.get("requestBody", {}).get("content", {})
    if declared:
        accepted = frozenset(str(k) for k in declared)
        return accepted | JSONL if accepted & JSONL else accepted
    return JSON


def _media(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def media_of(request: Request) -> str:
    """The request's media type, lower case, without parameters (``""`` when none)."""
    return _media(request.headers.get("content-type", ""))


def _json_like(media: str, accepted: frozenset[str]) -> bool:
    return media in accepted or ("application/json" in accepted and media.endswith("+json"))


class RequestGuard:
    """Refuses foreign hosts, cross-site writes and undeclared media types (see the module)."""

    def __init__(
        self, app: ASGIApp, *, allowed_hosts: tuple[str, ...], cors_origins: tuple[str, ...]
    ) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.cors_origins = frozenset(o.rstrip("/") for o in cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, loc, msg = refusal
        await _send_problem(send, status, loc, msg)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, list[str], str] | None:
        host = headers.get("host", "")
        if not host_allowed(host, self.allowed_hosts):
            return 400, ["header", "host"], "this server does not answer to that Host name"
        if scope["method"] not in UNSAFE:
            return None
        if self._cross_site(host, headers):
            return (
                403,
                ["header", "origin"],
                "cross-site writes are refused (TUNIX_RT_CORS_ORIGINS)",
            )
        return None

    def _cross_site(self, host: str, headers: dict[str, str]) -> bool:
        origin = headers.get("origin")
        if origin is None:
            return headers.get("sec-fetch-site") == "cross-site"
        if origin.rstrip("/") in self.cors_origins:
            return False
        return origin == "null" or urlsplit(origin).netloc.lower() != host.lower()


async def declared_media(request: Request) -> None:
    """App-wide dependency: a write's ``Content-Type`` must be one its route declares (415).

    A dependency rather than middleware because only the matched route knows what it declares;
    FastAPI solves it before the body is validated or read."""
    content_type = request.headers.get("content-type")
    route = request.scope.get("route")
    if request.method not in UNSAFE or content_type is None or not isinstance(route, APIRoute):
        return
    accepted = media_types(route)
    if not _json_like(_media(content_type), accepted):
        wanted = " or ".join(sorted(accepted))
        raise HTTPException(
            status_code=415,
            detail=[{"loc": ["header", "content-type"], "msg": f"this route takes {wanted}",
                     "type": status_type(415)}],
        )  # fmt: skip


def _query_names(dependant: Dependant) -> frozenset[str]:
    names: set[str] = set()
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query parameter model
            names |= {field.alias or key for key, field in model.model_fields.items()}
        else:
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


async def declared_query(request: Request) -> None:
    """App-wide dependency: a query parameter the route does not declare is a 422 naming it,
    so a misspelt filter (``dataset_key=`` for ``dataset=``) never returns unfiltered data."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    unknown = sorted(set(request.query_params) - _query_names(route.dependant))
    if unknown:
        known = ", ".join(sorted(_query_names(route.dependant))) or "none"
        msg = f"unknown query parameter (this route takes: {known})"
        raise HTTPException(
            status_code=422,
            detail=[{"loc": ["query", name], "msg": msg, "type": "unknown_parameter"}
                    for name in unknown],
        )  # fmt: skip


async def _send_problem(send: Send, status: int, loc: list[str], msg: str) -> None:
    items = [ErrorItem(loc=list(loc), msg=msg, type=status_type(status))]
    body = orjson.dumps(error_content(msg, items))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
