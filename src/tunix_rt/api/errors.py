"""Maps domain errors to HTTP responses in one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tunix_rt import errors

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.TunixRtError], int] = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.InvalidInput: 422,
    errors.InvalidState: 409,
    errors.PayloadTooLarge: 413,
    errors.Unavailable: 501,
}


def error_body(exc: errors.TunixRtError) -> dict[str, object]:
    """``{"detail": message}``, or a list of ``{loc, msg}`` when there are several problems."""
    if exc.problems:
        return {
            "detail": [{"loc": p.loc, "msg": p.msg} for p in exc.problems],
            "message": exc.message,
        }
    return {"detail": exc.message}


async def _handle_domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.TunixRtError)
    status = next((code for cls, code in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)
    return JSONResponse(error_body(exc), status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one handler for every ``TunixRtError``."""
    app.add_exception_handler(errors.TunixRtError, _handle_domain_error)
