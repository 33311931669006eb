"""``SeedCompat``: the ASGI middleware that matches an earlier route and runs its translator."""

from __future__ import annotations

import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tunix_rt import errors
from tunix_rt.api.auth import SAFE_METHODS
from tunix_rt.api.compat import datasets, evaluation, registry, runs, traces
from tunix_rt.api.compat.exchange import Exchange, Reply, Route
from tunix_rt.api.errors import (
    STATUS_BY_ERROR,
    ErrorItem,
    domain_items,
    error_content,
)
from tunix_rt.api.inputs import read_body

log = logging.getLogger(__name__)
ROUTES: tuple[Route, ...] = (
    *traces.ROUTES,
    *datasets.ROUTES,
    *runs.ROUTES,
    *evaluation.ROUTES,
    *registry.ROUTES,
)
# A client of our own API on a server with the adapter on sends this to be answered natively.
NATIVE_HEADER = b"x-tunix-rt-api"


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The earlier route a request is on, with its path parameters."""
    for candidate in ROUTES:
        if candidate.method != method:
            continue
        found = candidate.pattern.match(path)
        if found:
            return candidate, found.groupdict()
    return None


class SeedCompat:
    """Translate requests on the earlier routes to ours and our answers to the earlier shapes.

    It sits inside the Host/cross-site guard and the body-size limit and outside everything
    else, so a translated request meets our own input checks, auth and validation unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or dict(scope["headers"]).get(NATIVE_HEADER) == b"native":
            await self.app(scope, receive, send)
            return
        found = match(scope["method"], scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        matched, params = found
        if matched.rewrite is not None:
            await self.app(scope, receive, matched.rewrite(send))
            return
        assert matched.handler is not None
        body = await read_body(receive)
        exchange = Exchange(scope, self.app, body, params, scope["app"].state.settings)
        try:
            reply = await _signed_in(exchange) or await matched.handler(exchange)
        except errors.TunixRtError as exc:
            reply = _error(exc)
        except Exception:  # as our own handler does for routes: logged, and our error model
            log.exception("seed compat: %s %s", scope["method"], scope["path"])
            message = "internal error"
            items = [ErrorItem(loc=[], msg=message, type="internal_server_error")]
            reply = Reply.of(500, error_content(message, items))
        await _send(reply, send)


async def _signed_in(exchange: Exchange) -> Reply | None:
    """Our refusal when the client may not call the route (so no translator reads a file or
    a record for a client that auth would turn away); None when it may."""
    reply = await exchange.call("GET", "/api/auth/me")
    if not reply.ok:
        return reply
    scopes = set(reply.json()["scopes"])
    if exchange.scope["method"] in SAFE_METHODS or scopes & {"write", "admin"}:
        return None
    message = "this needs the 'write' scope"
    return Reply.of(403, error_content(message, [ErrorItem(loc=[], msg=message, type="forbidden")]))


def _error(exc: errors.TunixRtError) -> Reply:
    """A domain error as our handler answers it (status and ``type`` by its class)."""
    status, kind = 400, "error"
    for cls, code in STATUS_BY_ERROR.items():
        if isinstance(exc, cls):
            status, kind = code, re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
            break
    return Reply.of(status, error_content(exc.message, domain_items(exc, kind)))


async def _send(reply: Reply, send: Send) -> None:
    headers = [(k, v) for k, v in reply.headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(reply.body)).encode()))
    start: Message = {"type": "http.response.start", "status": reply.status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": reply.body, "more_body": False})
