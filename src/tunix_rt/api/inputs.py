"""Inputs refused by name before any route sees them, the same way on both databases.

- **Methods**: a method the path's resource does not have is a 405 with its ``Allow``
  (``api/methods.py``); a path under ``/api/`` that names no resource is a 404.
- **NUL characters**: PostgreSQL text and JSON cannot hold U+0000 (the driver fails, a 500)
  while SQLite stores it, so a NUL in the path, in a query parameter's name or value, or in any
  string or key of a JSON body is a 422 naming where it is. Uploaded JSONL is scanned as it
  streams and the error names the line.
- **JSON bodies** are parsed once here (orjson, strict JSON): invalid JSON (``NaN``, lone
  surrogates, numbers beyond a double) is a 422, nesting deeper than ``MAX_JSON_DEPTH`` is a
  422 naming the limit, and integers beyond int64 (what a PostgreSQL ``bigint`` and orjson can
  hold) are a 422 naming the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tunix_rt.api.errors import ErrorItem, error_response, status_type
from tunix_rt.api.methods import route_table
from tunix_rt.errors import InvalidInput, Problem

MAX_JSON_DEPTH = 32
INT64 = (-(2**63), 2**63 - 1)
NUL_MSG = "NUL characters (U+0000) are not allowed"
_NUL_ESCAPE = b"\\u0000"
_LONG_INT = re.compile(rb"\d{19,}")
_JSONL = ("application/x-ndjson", "application/jsonl")
Loc = list[str | int]


class NulInUpload(InvalidInput):
    """NUL characters (U+0000) are not allowed."""


def _media(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == b"content-type":
            media: str = value.decode("latin-1")
            return media.split(";", 1)[0].strip().lower()
    return ""


def _walk(value: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    """Every value and key in a parsed JSON document, with its path."""
    stack: list[tuple[Loc, Any]] = [(loc, value)]
    while stack:
        here, item = stack.pop()
        yield here, item
        if isinstance(item, dict):
            for key, child in item.items():
                yield [*here, key], key
                stack.append(([*here, key], child))
        elif isinstance(item, list):
            stack.extend(([*here, i], child) for i, child in enumerate(item))


def _deeper_than(document: Any, max_depth: int) -> bool:
    """Whether containers nest more than ``max_depth`` deep (the outermost one is depth 1)."""
    stack: list[tuple[Any, int]] = [(document, 1)] if isinstance(document, dict | list) else []
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if level > max_depth:
            return True
        stack.extend((c, level + 1) for c in children if isinstance(c, dict | list))
    return False


def json_problem(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> ErrorItem | None:
    """What is wrong with a JSON body (see the module), or None."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc):
            return _too_deep(max_depth)
        return ErrorItem(loc=["body"], msg=f"invalid JSON: {exc}", type="json_invalid")
    brackets = body.count(b"[") + body.count(b"{")
    if brackets > max_depth and _deeper_than(document, max_depth):
        return _too_deep(max_depth)
    if _NUL_ESCAPE in body:
        for loc, item in _walk(document, ["body"]):
            if isinstance(item, str) and "\x00" in item:
                return ErrorItem(loc=loc, msg=NUL_MSG, type="nul_character")
    if _LONG_INT.search(body):  # orjson reads long integers as floats: json keeps them exact
        for loc, item in _walk(json.loads(body), ["body"]):
            if isinstance(item, int) and not INT64[0] <= item <= INT64[1]:
                msg = "integers must lie within the 64-bit signed range"
                return ErrorItem(loc=loc, msg=msg, type="int_range")
    return None


def _too_deep(max_depth: int) -> ErrorItem:
    msg = f"JSON nested deeper than {max_depth} levels"
    return ErrorItem(loc=["body"], msg=msg, type="json_too_deep")


def query_problem(scope: Scope) -> ErrorItem | None:
    """A NUL in the path or in a query parameter, named; else None."""
    if "\x00" in scope["path"]:
        resource = route_table(scope["app"]).resolve(scope["path"]) if "app" in scope else None
        names = [k for k, v in (resource.params if resource else {}).items() if "\x00" in v]
        return ErrorItem(loc=["path", *names[:1]], msg=NUL_MSG, type="nul_character")
    raw: bytes = scope.get("query_string", b"")
    if b"%00" not in raw and b"\x00" not in raw:
        return None
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return ErrorItem(loc=["query", name], msg=NUL_MSG, type="nul_character")
    return None


def method_problem(scope: Scope) -> tuple[int, ErrorItem, dict[str, str]] | None:
    """405 for a method the path's resource lacks; 404 for an ``/api/`` path naming nothing."""
    path: str = scope["path"]
    if "app" not in scope or _is_preflight(scope):
        return None
    resource = route_table(scope["app"]).resolve(path)
    if resource is None:
        if not path.startswith("/api/"):
            return None  # the UI's static files
        return 404, ErrorItem(loc=["path"], msg="no such API path", type="not_found"), {}
    if scope["method"] in resource.methods:
        return None
    msg = f"{scope['method']} is not allowed here (allowed: {resource.allow})"
    return 405, ErrorItem(loc=[], msg=msg, type=status_type(405)), {"Allow": resource.allow}


def _is_preflight(scope: Scope) -> bool:
    names = {key for key, _ in scope["headers"]}
    return scope["method"] == "OPTIONS" and b"access-control-request-method" in names


class InputChecks:
    """The checks in the module docstring, as ASGI middleware (inside ``BodySizeLimit``)."""

    def __init__(self, app: ASGIApp, *, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = method_problem(scope)
        if refused is None and (item := query_problem(scope)) is not None:
            refused = 422, item, {}
        media = _media(scope)
        if refused is None and (media == "application/json" or media.endswith("+json")):
            body = await read_body(receive)
            if body.strip() and (item := json_problem(body, self.max_depth)) is not None:
                refused = 422, item, {}
            receive = _replay(body, receive)
        elif media in _JSONL:
            receive = _scan_upload(receive)
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, item, headers = refused
        response = error_response(status, item.msg, [item], headers)
        await response(scope, receive, send)


async def read_body(receive: Receive) -> bytes:
    """The whole request body from ASGI ``receive`` (callers bound its size first)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The buffered body once; then the client's own ``receive`` (a disconnect, when it comes)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def _real_escape(data: bytes, at: int) -> bool:
    """Whether the ``\\u0000`` at ``at`` is an escape (not an escaped backslash, ``\\\\u0000``)."""
    backslashes = len(data[:at]) - len(data[:at].rstrip(b"\\"))
    return backslashes % 2 == 0


def _nul_at(data: bytes) -> int:
    raw = data.find(b"\x00")
    at = data.find(_NUL_ESCAPE)
    while at >= 0 and not _real_escape(data, at):
        at = data.find(_NUL_ESCAPE, at + 1)
    hits = [i for i in (raw, at) if i >= 0]
    return min(hits) if hits else -1


def _scan_upload(receive: Receive) -> Receive:
    """``receive`` that raises ``NulInUpload`` naming the line when a chunk holds a NUL."""
    line, tail = 1, b""

    async def scanned() -> Message:
        nonlocal line, tail
        message = await receive()
        if message["type"] != "http.request":
            return message
        data = tail + message.get("body", b"")
        at = _nul_at(data)
        if at >= 0:
            where = line + data.count(b"\n", 0, at)
            raise NulInUpload(problems=[Problem(f"line {where}", NUL_MSG)])
        line += data.count(b"\n")
        # An escape split across chunks leaves at most 5 of its bytes here (never a newline).
        tail = data[max(data.rfind(b"\n") + 1, len(data) - 5) :]
        return message

    return scanned
