"""OpenTelemetry GenAI spans mapped to trace documents (pure; docs/interop.md, "OTLP").

Read in this order, the first that is present winning: the current conventions' JSON attributes
``gen_ai.input.messages`` / ``gen_ai.output.messages`` / ``gen_ai.system_instructions`` (on the
span or on its ``gen_ai.client.inference.operation.details`` event), then the deprecated indexed
``gen_ai.prompt.N.role|content`` / ``gen_ai.completion.N.…`` attributes, the ``gen_ai.prompt`` /
``gen_ai.completion`` attributes, and the event forms (``gen_ai.content.prompt`` /
``gen_ai.content.completion``, ``gen_ai.{system,user,assistant}.message``, ``gen_ai.choice``).
A span whose ``gen_ai.operation.name`` is not a chat or completion, or that has no ``gen_ai.*``
attribute at all, holds no trace: ``span_doc`` returns ``None`` and the caller counts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import orjson

from tunix_rt.errors import Problem
from tunix_rt.traces.formats.otlp_schema import ExportTraceServiceRequest, Span, attributes_of
from tunix_rt.traces.formats.records import Message, RecordError, conversation_doc

CHAT_OPERATIONS = frozenset({"chat", "text_completion", "generate_content"})
_DETAILS_EVENT = "gen_ai.client.inference.operation.details"
_INDEXED = re.compile(r"^gen_ai\.(?P<side>prompt|completion)\.(?P<n>\d+)\.(?P<field>\w+)$")
_ROLE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
}
NO_CONTENT = (
    "a GenAI span without its messages: turn on content capture in the instrumentation "
    "(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)"
)


class SpanAt(NamedTuple):
    """A span, where it sits in its request, and its resource's attributes."""

    loc: str
    span: Span
    resource: dict[str, Any]


def spans_of(request: ExportTraceServiceRequest) -> Iterator[SpanAt]:
    """Every span of a request with its path (``resourceSpans[0].scopeSpans[1].spans[2]``)."""
    for r, resource in enumerate(request.resource_spans):
        attrs = attributes_of(resource.resource.attributes) if resource.resource else {}
        for s, scope in enumerate(resource.scope_spans):
            for k, span in enumerate(scope.spans):
                yield SpanAt(f"resourceSpans[{r}].scopeSpans[{s}].spans[{k}]", span, attrs)


def _json(value: object) -> object:
    """A JSON-string attribute decoded (a structured attribute is taken as it is)."""
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _parts_text(parts: object, kind: str) -> str:
    if not isinstance(parts, list):
        return ""
    texts = [p.get("content") for p in parts if isinstance(p, Mapping) and p.get("type") == kind]
    return "\n".join(t for t in texts if isinstance(t, str))


def _message(raw: object, default_role: str) -> Message | None:
    """A message in either convention: ``{role, parts: [...]}`` or ``{role, content}``."""
    if isinstance(raw, str):
        return Message(default_role, raw)
    if not isinstance(raw, Mapping):
        return None
    role = str(raw.get("role") or default_role).lower()
    if "parts" in raw:
        reasoning = _parts_text(raw["parts"], "reasoning")
        return Message(role, _parts_text(raw["parts"], "text"), reasoning or None)
    content: object = raw.get("content")
    if isinstance(content, list):  # OpenAI-style content parts
        content = "\n".join(str(p.get("text") or "") for p in content if isinstance(p, Mapping))
    field = raw.get("reasoning_content")
    text = "" if content is None else str(content)
    return Message(role, text, field if isinstance(field, str) and field else None)


def _messages(value: object, default_role: str) -> list[Message]:
    decoded = _json(value)
    items = decoded if isinstance(decoded, list) else [decoded]
    return [m for m in (_message(item, default_role) for item in items) if m is not None]


def _indexed(attrs: Mapping[str, Any], side: str) -> list[Message]:
    """The deprecated ``gen_ai.prompt.0.role`` / ``gen_ai.prompt.0.content`` attributes."""
    fields: dict[int, dict[str, Any]] = {}
    for key, value in attrs.items():
        match = _INDEXED.match(key)
        if match is not None and match.group("side") == side:
            fields.setdefault(int(match.group("n")), {})[match.group("field")] = value
    role = "user" if side == "prompt" else "assistant"
    found = (_message(fields[n], role) for n in sorted(fields))
    return [m for m in found if m is not None]


def _event_messages(span: Span, side: str) -> list[Message]:
    """The deprecated event forms, in the order the span recorded them."""
    found: list[Message] = []
    for event in span.events:
        attrs = attributes_of(event.attributes)
        if event.name == f"gen_ai.content.{side}" and f"gen_ai.{side}" in attrs:
            found += _messages(attrs[f"gen_ai.{side}"], "user" if side == "prompt" else "assistant")
        elif (
            side == "prompt"
            and event.name in _ROLE_EVENTS
            and event.name != "gen_ai.assistant.message"
        ):
            found += _messages(attrs.get("content", ""), _ROLE_EVENTS[event.name])
        elif side == "completion" and event.name == "gen_ai.choice":
            found += _messages(attrs.get("message", attrs.get("content", "")), "assistant")
    return [m for m in found if m.content or m.reasoning]


def _with_details(span: Span, attrs: dict[str, Any]) -> dict[str, Any]:
    """Span attributes, completed from an ``operation.details`` event's (the span's win)."""
    for event in span.events:
        if event.name == _DETAILS_EVENT:
            attrs = {**attributes_of(event.attributes), **attrs}
    return attrs


def conversation(span: Span, attrs: Mapping[str, Any]) -> tuple[list[Message], list[Message]]:
    """``(inputs with the system instructions first, outputs)`` of a GenAI span."""
    system: list[Message] = []
    if "gen_ai.system_instructions" in attrs:
        parts = _json(attrs["gen_ai.system_instructions"])
        text = _parts_text(parts, "text") if isinstance(parts, list) else str(parts)
        system = [Message("system", text)] if text else []
    if "gen_ai.input.messages" in attrs or "gen_ai.output.messages" in attrs:
        inputs = _messages(attrs.get("gen_ai.input.messages", "[]"), "user")
        outputs = _messages(attrs.get("gen_ai.output.messages", "[]"), "assistant")
        return system + inputs, outputs
    inputs = _indexed(attrs, "prompt") or (
        _messages(attrs["gen_ai.prompt"], "user") if "gen_ai.prompt" in attrs else []
    )
    outputs = _indexed(attrs, "completion") or (
        _messages(attrs["gen_ai.completion"], "assistant") if "gen_ai.completion" in attrs else []
    )
    return (
        system + (inputs or _event_messages(span, "prompt")),
        outputs or _event_messages(span, "completion"),
    )


def _meta(span: Span, attrs: Mapping[str, Any], resource: Mapping[str, Any]) -> dict[str, Any]:
    usage = {
        "input_tokens": attrs.get(
            "gen_ai.usage.input_tokens", attrs.get("gen_ai.usage.prompt_tokens")
        ),
        "output_tokens": attrs.get(
            "gen_ai.usage.output_tokens", attrs.get("gen_ai.usage.completion_tokens")
        ),
    }
    meta = {
        "source": "otlp",
        "model": attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model"),
        "operation": attrs.get("gen_ai.operation.name"),
        "provider": attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system"),
        "service": resource.get("service.name"),
        "usage": {k: v for k, v in usage.items() if isinstance(v, int)} or None,
    }
    return {k: v for k, v in meta.items() if v is not None}


def span_doc(at: SpanAt, origin: Mapping[str, Any]) -> dict[str, Any] | None:
    """The trace document of a GenAI chat/completion span, or ``None`` for any other span."""
    attrs = _with_details(at.span, attributes_of(at.span.attributes))
    operation = attrs.get("gen_ai.operation.name")
    has_genai = any(k.startswith("gen_ai.") for k in attrs) or any(
        e.name.startswith("gen_ai.") for e in at.span.events
    )
    if (operation is not None and operation not in CHAT_OPERATIONS) or not has_genai:
        return None
    inputs, outputs = conversation(at.span, attrs)
    if not inputs and not outputs:
        raise RecordError([Problem("attributes", NO_CONTENT)])
    replies = [m for m in outputs if m.role == "assistant"] or outputs[:1]
    if not replies:
        raise RecordError([Problem("attributes", "no output message (gen_ai.output.messages)")])
    ids = {"trace_id": at.span.trace_id, "span_id": at.span.span_id, "span": at.span.name}
    meta = _meta(at.span, attrs, at.resource)
    meta["origin"] = {**origin, **{k: v for k, v in ids.items() if v}}
    doc = conversation_doc([*inputs, replies[0]._replace(role="assistant")], meta)
    if doc["meta"]["reasoning"] == "reasoning_content":
        doc["meta"]["reasoning"] = "reasoning_part"  # the conventions' {"type": "reasoning"}
    return doc
