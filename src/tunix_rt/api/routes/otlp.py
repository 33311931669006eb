"""The OTLP/HTTP trace receiver: ``POST /v1/traces`` stores GenAI spans as traces
(docs/interop.md, "OpenTelemetry GenAI spans")."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import SessionDep, SettingsDep
from tunix_rt.errors import InvalidInput, PayloadTooLarge, Problem
from tunix_rt.traces.formats.otlp_schema import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
    parse_json,
    parse_protobuf,
    protobuf_response,
)
from tunix_rt.traces.formats.stream import receive_spans

router = APIRouter(tags=["otlp"], dependencies=[by_method])
PROTOBUF = "application/x-protobuf"


# The outline only: OTLP's AnyValue is recursive, and its full schema lives in the OTLP spec.
_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"resourceSpans": {"type": "array", "items": {"type": "object"}}},
}
_OTLP_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _REQUEST_SCHEMA},
            PROTOBUF: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
_OTLP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "ExportTraceServiceResponse (protobuf when the request was protobuf)",
        "content": {PROTOBUF: {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _gunzip(body: bytes, limit: int) -> bytes:
    """A gzip-encoded body (OTLP exporters' ``compression=gzip``), at most ``limit`` bytes."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(body, limit + 1)
    except zlib.error:
        raise InvalidInput(problems=[Problem("body", "not valid gzip")]) from None
    if len(out) > limit or inflate.unconsumed_tail:
        raise PayloadTooLarge(f"the decompressed body is larger than {limit} bytes")
    return out


def _decoded(body: bytes, protobuf: bool) -> ExportTraceServiceRequest:
    if protobuf:
        return parse_protobuf(body)
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(problems=[Problem("body", f"not valid JSON ({exc})")]) from None
    return parse_json(doc, "body")


@router.post(
    "/v1/traces",
    response_model=ExportTraceServiceResponse,
    response_model_exclude_none=True,
    responses=_OTLP_RESPONSE,
    openapi_extra=_OTLP_BODY,
)
async def export_traces(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """OTLP/HTTP (JSON or protobuf): GenAI chat and completion spans become traces; other spans
    are counted in ``partialSuccess.rejectedSpans`` with the reason."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    protobuf = media == PROTOBUF
    body = await request.body()
    if request.headers.get("content-encoding", "").strip().lower() == "gzip":
        body = _gunzip(body, settings.max_body_bytes)
    partial = await receive_spans(session=session, request=_decoded(body, protobuf))
    answer = ExportTraceServiceResponse(partialSuccess=partial)
    if protobuf:
        return Response(protobuf_response(answer), media_type=PROTOBUF)
    return Response(answer.model_dump_json(exclude_none=True), media_type="application/json")
