"""ASGI middleware: body size limit on the bytes actually read, and request metrics."""

from __future__ import annotations

import time

import orjson
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tunix_rt.api.errors import ErrorItem, error_content
from tunix_rt.errors import PayloadTooLarge

REQUESTS = Counter("tunix_rt_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "tunix_rt_http_request_duration_seconds", "HTTP request latency", ["method", "route"]
)


class BodyTooLarge(PayloadTooLarge):
    """Raised inside ``receive`` when the body passes the limit."""


class BodySizeLimit:
    """Answers 413 once more than ``max_bytes`` of body have been read, whatever the headers say."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            # A handler that caught BodyTooLarge (FastAPI turns body errors into 400) still
            # gets the 413: its own response is dropped.
            if seen > self.max_bytes:
                if not started:
                    started = True
                    await self._reject(send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        msg = f"request body exceeds the limit of {self.max_bytes} bytes"
        item = ErrorItem(loc=["body"], msg=msg, type="payload_too_large")
        body = orjson.dumps(error_content(msg, [item]))
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RequestMetrics:
    """Counts requests and observes latency per route template (not per raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = _route_template(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - start)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"
