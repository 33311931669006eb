"""OTLP/JSON trace requests (``ExportTraceServiceRequest``) as typed records, and protobuf.

Only the parts a trace needs are modelled; other OTLP fields are accepted and ignored. The
protobuf form is decoded with ``opentelemetry-proto`` (imported only on that path) into the
same records, so both encodings take one route from here on.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from tunix_rt.errors import InvalidInput, Problem, Unavailable
from tunix_rt.traces.validation import problems_from

_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class AnyValue(BaseModel):
    """OTLP's ``AnyValue``: one of the typed fields is set."""

    model_config = _CONFIG

    string_value: str | None = None
    bool_value: bool | None = None
    int_value: int | str | None = None  # int64 is a decimal string in OTLP/JSON
    double_value: float | str | None = None  # "NaN" / "Infinity" are strings there
    bytes_value: str | None = None
    array_value: ArrayValue | None = None
    kvlist_value: KeyValueList | None = None


class ArrayValue(BaseModel):
    """A list of values."""

    model_config = _CONFIG

    values: list[AnyValue] = Field(default_factory=list)


class KeyValue(BaseModel):
    """One attribute."""

    model_config = _CONFIG

    key: str
    value: AnyValue = Field(default_factory=AnyValue)


class KeyValueList(BaseModel):
    """A map of values."""

    model_config = _CONFIG

    values: list[KeyValue] = Field(default_factory=list)


AnyValue.model_rebuild()


class SpanEvent(BaseModel):
    """A span event (the deprecated GenAI content events live here)."""

    model_config = _CONFIG

    name: str = ""
    attributes: list[KeyValue] = Field(default_factory=list)


class Span(BaseModel):
    """One span: ids (hex in OTLP/JSON), name, attributes, events."""

    model_config = _CONFIG

    trace_id: str = ""
    span_id: str = ""
    name: str = ""
    attributes: list[KeyValue] = Field(default_factory=list)
    events: list[SpanEvent] = Field(default_factory=list)


class Resource(BaseModel):
    """The resource that sent the spans (``service.name`` and so on)."""

    model_config = _CONFIG

    attributes: list[KeyValue] = Field(default_factory=list)


class ScopeSpans(BaseModel):
    """The spans of one instrumentation scope."""

    model_config = _CONFIG

    spans: list[Span] = Field(default_factory=list)


class ResourceSpans(BaseModel):
    """The spans of one resource."""

    model_config = _CONFIG

    resource: Resource | None = None
    scope_spans: list[ScopeSpans] = Field(default_factory=list)


class ExportTraceServiceRequest(BaseModel):
    """The body of ``POST /v1/traces`` (and one line of the collector's file exporter)."""

    model_config = _CONFIG

    resource_spans: list[ResourceSpans] = Field(default_factory=list)


class PartialSuccess(BaseModel):
    """Spans not stored and why (OTLP's ``ExportTracePartialSuccess``)."""

    rejectedSpans: int = 0  # OTLP's JSON names
    errorMessage: str = ""


class ExportTraceServiceResponse(BaseModel):
    """What ``POST /v1/traces`` answers; ``partialSuccess`` only when spans were rejected."""

    partialSuccess: PartialSuccess | None = None


def value_of(value: AnyValue) -> Any:
    """The plain Python value of an ``AnyValue`` (``None`` when empty)."""
    if value.string_value is not None:
        return value.string_value
    if value.bool_value is not None:
        return value.bool_value
    if value.int_value is not None:
        try:
            number = int(value.int_value)
        except ValueError:
            return value.int_value
        # OTLP's ints are int64; a larger one stays text (JSON encoders refuse it later).
        return number if -(2**63) <= number < 2**63 else str(value.int_value)
    if value.double_value is not None:
        return value.double_value
    if value.array_value is not None:
        return [value_of(v) for v in value.array_value.values]
    if value.kvlist_value is not None:
        return attributes_of(value.kvlist_value.values)
    return value.bytes_value


def attributes_of(pairs: list[KeyValue]) -> dict[str, Any]:
    """Attributes as a mapping (a repeated key keeps its last value, as the SDKs do)."""
    return {kv.key: value_of(kv.value) for kv in pairs}


def parse_json(doc: object, prefix: str = "") -> ExportTraceServiceRequest:
    """An OTLP/JSON request from decoded JSON; ``InvalidInput`` names each problem's path."""
    try:
        return ExportTraceServiceRequest.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInput("invalid OTLP request", problems=problems_from(exc, prefix)) from None


def _hex(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).hex()
    except (binascii.Error, ValueError):
        return value


def parse_protobuf(body: bytes) -> ExportTraceServiceRequest:
    """An OTLP/protobuf request (``application/x-protobuf``), ids turned into hex as in JSON."""
    try:
        # protobuf ships no type stubs here; opentelemetry-proto brings it
        from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped]
        from google.protobuf.message import DecodeError  # type: ignore[import-untyped]
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
    except ImportError:
        raise Unavailable(
            "OTLP/protobuf needs the opentelemetry-proto package; send application/json instead"
        ) from None
    message = trace_service_pb2.ExportTraceServiceRequest()
    try:
        message.ParseFromString(body)
    except DecodeError:
        raise InvalidInput(problems=[Problem("body", "not an OTLP protobuf request")]) from None
    request = parse_json(MessageToDict(message))
    for resource in request.resource_spans:
        for scope in resource.scope_spans:
            for span in scope.spans:
                span.trace_id, span.span_id = _hex(span.trace_id), _hex(span.span_id)
    return request


def protobuf_response(response: ExportTraceServiceResponse) -> bytes:
    """The response in protobuf, for a client that sent protobuf."""
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

    message = trace_service_pb2.ExportTraceServiceResponse()
    if response.partialSuccess is not None:
        message.partial_success.rejected_spans = response.partialSuccess.rejectedSpans
        message.partial_success.error_message = response.partialSuccess.errorMessage
    return bytes(message.SerializeToString())
