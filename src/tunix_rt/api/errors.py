"""The one error model: every error response is ``{"detail": [{loc, msg, type}], "message"}``.

Domain errors, FastAPI's validation errors, ``HTTPException`` (auth, routing's 404 and 405)
and the middleware's refusals (413, NUL characters, JSON depth) all answer with it, and the
OpenAPI document declares it for every status in ``ERROR_STATUSES`` on every operation.
``detail`` stays a list so FastAPI's 422 and ours are one shape; ``loc`` is a path into the
request (``["query", "offset"]``, ``["body", "traces", 3, "steps"]``) or ``[]`` for the request
as a whole.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from tunix_rt import errors
from tunix_rt.api.methods import route_table

log = logging.getLogger(__name__)

ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422)
STATUS_BY_ERROR: dict[type[errors.TunixRtError], int] = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.InvalidInput: 422,
    errors.InvalidState: 409,
    errors.PayloadTooLarge: 413,
    errors.Unavailable: 501,
}
_LOC_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


class ErrorItem(BaseModel):
    """One thing wrong: where in the request, what, and its kind (a stable snake_case code)."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """Every error response: the problems, and one line that sums them up for people."""

    detail: list[ErrorItem]
    message: str


def loc_parts(loc: str) -> list[str | int]:
    """A domain ``Problem.loc`` as a path: ``traces[3].steps`` -> ``["traces", 3, "steps"]``."""
    return [int(index) if index else name for index, name in _LOC_PART.findall(loc)]


def error_content(message: str, items: Sequence[ErrorItem]) -> dict[str, Any]:
    """The JSON body of an error response (``items`` empty: one item carrying ``message``)."""
    listed = list(items) or [ErrorItem(loc=[], msg=message, type="error")]
    return ErrorBody(detail=listed, message=message).model_dump(mode="json")


def error_response(
    status: int, message: str, items: Sequence[ErrorItem], headers: dict[str, str] | None = None
) -> JSONResponse:
    """An error response in the model."""
    return JSONResponse(error_content(message, items), status_code=status, headers=headers)


def status_type(status: int) -> str:
    """``404`` -> ``not_found``: the ``type`` of an error that only has a status."""
    try:
        return HTTPStatus(status).name.lower()
    except ValueError:
        return "error"


def domain_items(exc: errors.TunixRtError, kind: str) -> list[ErrorItem]:
    """A domain error's problems as items (one item with its message when it has none)."""
    if not exc.problems:
        return [ErrorItem(loc=[], msg=exc.message, type=kind)]
    return [ErrorItem(loc=loc_parts(p.loc), msg=p.msg, type=kind) for p in exc.problems]


def _domain_status(exc: errors.TunixRtError) -> tuple[int, str]:
    for cls, code in STATUS_BY_ERROR.items():
        if isinstance(exc, cls):
            return code, re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    return 400, "error"


async def _handle_domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.TunixRtError)
    status, kind = _domain_status(exc)
    return error_response(status, exc.message, domain_items(exc, kind))


async def _handle_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # FastAPI's own items also carry ``input`` and ``ctx``: dropped, so a huge or secret input
    # is never echoed back and every 422 has the one shape.
    items = [ErrorItem(loc=list(e["loc"]), msg=e["msg"], type=e["type"]) for e in exc.errors()]
    return error_response(422, "the request is invalid", items)


def _http_items(detail: Any, kind: str) -> list[ErrorItem]:
    if isinstance(detail, list) and all(isinstance(d, dict) for d in detail):
        return [
            ErrorItem(
                loc=d.get("loc") or [], msg=str(d.get("msg", "")), type=str(d.get("type", kind))
            )
            for d in detail
        ]
    return [ErrorItem(loc=[], msg=str(detail), type=kind)]


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if isinstance(exc.__cause__, errors.TunixRtError):
        # FastAPI turns any error raised while it reads a body into a bare 400; a domain error
        # raised there (by the middleware's receive) keeps its own status and problems.
        return await _handle_domain_error(request, exc.__cause__)
    status, headers = exc.status_code, dict(exc.headers or {})
    if status == 405:
        resource = route_table(request.app).resolve(request.url.path)
        headers["Allow"] = resource.allow if resource else headers.get("Allow", "GET, HEAD")
    items = _http_items(exc.detail, status_type(status))
    message = "; ".join(item.msg for item in items)
    return error_response(status, message, items, headers)


async def _handle_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the traceback and re-raises after sending this; the body keeps the model.
    return error_response(500, "internal server error", [], None)


HANDLERS: dict[type[Exception] | int, Callable[[Request, Exception], Any]] = {
    errors.TunixRtError: _handle_domain_error,
    RequestValidationError: _handle_validation_error,
    HTTPException: _handle_http_exception,
    Exception: _handle_unexpected,
}


def declare_error_model(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare ``ErrorBody`` for every status in ``ERROR_STATUSES`` on every operation."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components["ErrorBody"] = body
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in ERROR_STATUSES:
                responses[str(status)] = {
                    "description": HTTPStatus(status).phrase,
                    "content": {"application/json": {"schema": ref}},
                }
            operation["responses"] = dict(sorted(responses.items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above, and declare their model in the app's OpenAPI document."""
    for key, handler in HANDLERS.items():
        app.add_exception_handler(key, handler)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            declare_error_model(generate())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
