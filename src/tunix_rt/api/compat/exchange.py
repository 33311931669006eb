"""One translated request: the client's request as read, and calls into our own routes."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Scope, Send

from tunix_rt import errors
from tunix_rt.settings import Settings

_JSON = b"application/json"
# A field our response already has that the earlier client reads with another meaning (a score
# on another scale, another status word): the earlier meaning takes the name, ours moves here.
NATIVE = "tunix_rt"


@dataclass
class Reply:
    """A response: status, headers (as ASGI sends them) and the whole body."""

    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether ours answered with a 2xx."""
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @classmethod
    def of(cls, status: int, doc: Any) -> Reply:
        """A JSON reply."""
        return cls(status, json.dumps(doc).encode(), [(b"content-type", _JSON)])

    @classmethod
    def text(cls, status: int, body: bytes, media: str) -> Reply:
        """A reply with a body of another media type."""
        return cls(status, body, [(b"content-type", media.encode())])


def beside(ours: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """Our document plus the earlier client's fields; where a name collides with another
    value, the earlier value takes the name and ours is kept under ``tunix_rt``."""
    out = dict(ours)
    native = dict(ours.get(NATIVE) or {})
    for key, value in old.items():
        if key in ours and ours[key] != value:
            native[key] = ours[key]
        out[key] = value
    if native:
        out[NATIVE] = native
    return out


@dataclass
class Exchange:
    """The request being translated, and ``call`` to send requests to our own routes."""

    scope: Scope
    app: ASGIApp
    body: bytes
    params: dict[str, str]
    settings: Settings

    @property
    def query(self) -> dict[str, str]:
        """The query string (the earlier client sent each key once)."""
        return dict(parse_qsl(self.scope["query_string"].decode(), keep_blank_values=True))

    @property
    def media(self) -> str:
        """The request's content type, lower case."""
        headers: dict[bytes, bytes] = dict(self.scope["headers"])
        return headers.get(b"content-type", b"").decode("latin-1").lower()

    def json(self) -> Any:
        """The body as JSON (None when empty); a body that is not JSON is a 422 on ``body``."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise errors.InvalidInput(
                problems=[errors.Problem("body", "the earlier API takes a JSON body")]
            ) from None

    def object(self) -> dict[str, Any]:
        """The body as a JSON object (absent: empty); anything else is a 422 on ``body``."""
        doc = self.json()
        if doc is None:
            return {}
        if not isinstance(doc, dict):
            raise errors.InvalidInput(problems=[errors.Problem("body", "expected a JSON object")])
        return doc

    async def call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        doc: Any = None,
        content: bytes | None = None,
        media: str = "application/json",
        raw_query: bytes | None = None,
    ) -> Reply:
        """Send a request to our app with the client's headers (its token, its host)."""
        body = content if content is not None else b"" if doc is None else json.dumps(doc).encode()
        keep = [(k, v) for k, v in self.scope["headers"] if k not in _REPLACED]
        headers = [*keep, (b"content-length", str(len(body)).encode())]
        if body:
            headers.append((b"content-type", media.encode()))
        items = {k: v for k, v in (query or {}).items() if v is not None}
        scope = {
            **self.scope,
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "query_string": urlencode(items, doseq=True).encode()
            if raw_query is None
            else raw_query,
            "headers": headers,
            # A request of its own (as Starlette gives each): its own audit mark, its own state.
            "state": dict(self.scope.get("state") or {}),
        }
        return await _collect(self.app, scope, body)

    async def forward(
        self, *, path: str | None = None, query: dict[str, Any] | None = None, doc: Any = None
    ) -> Reply:
        """The client's request, reshaped (path, query, JSON body), sent to ours."""
        content = None if doc is not None else self.body
        return await self.call(
            self.scope["method"],
            path or self.scope["path"],
            query=query,
            doc=doc,
            content=content,
            media="application/json" if doc is not None else self.media,
            raw_query=self.scope["query_string"] if query is None else None,
        )


_REPLACED = {b"content-length", b"content-type"}


async def _collect(app: ASGIApp, scope: Scope, body: bytes) -> Reply:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:  # the client stays connected until the answer is complete
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    reply = Reply(500, b"")
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    reply.body = b"".join(chunks)
    return reply


Handler = Callable[[Exchange], Awaitable[Reply]]
# A streamed answer is rewritten as it is sent: ``rewrite(send)`` is the ``send`` ours gets.
Rewrite = Callable[[Send], Send]


@dataclass(frozen=True)
class Route:
    """An earlier method and path (a regex with named groups) and its translator: a handler
    of the whole exchange, or a rewrite of a streamed answer."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler | None = None
    rewrite: Rewrite | None = None


def _pattern(path: str) -> re.Pattern[str]:
    # An ``…_id`` has no dot, so ``/api/traces/export.jsonl`` is not a trace.
    regex = re.sub(r"\{(\w+_id)\}", r"(?P<\1>[^/.]+)", path)
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex) + "$")


def route(method: str, path: str, handler: Handler) -> Route:
    """``/api/traces/{trace_id}`` -> a route matching that path only, and its handler."""
    return Route(method, _pattern(path), handler=handler)


def streamed(method: str, path: str, rewrite: Rewrite) -> Route:
    """A route whose streamed answer ``rewrite`` reshapes chunk by chunk."""
    return Route(method, _pattern(path), rewrite=rewrite)


def percent(value: Any) -> float | None:
    """A 0-1 score on the earlier 0-100 scale."""
    return None if value is None else round(float(value) * 100.0, 4)


def status_word(status: Any) -> Any:
    """Our run status in the earlier words (``succeeded`` was ``completed``, ``queued``
    was ``pending``); the others are the same."""
    return {"succeeded": "completed", "queued": "pending"}.get(status, status)
