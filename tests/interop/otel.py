"""Spans recorded with the real OpenTelemetry SDK, in each GenAI convention the receiver reads."""

import base64
import json
from collections.abc import Sequence

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

QUESTION = "A shop sells 3 pens for $2. How much do 12 pens cost?"
CURRENT = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "tiny-2b",
    "gen_ai.response.model": "tiny-2b-0601",
    "gen_ai.usage.input_tokens": 31,
    "gen_ai.usage.output_tokens": 58,
    "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Think step by step."}]),
    "gen_ai.input.messages": json.dumps(
        [{"role": "user", "parts": [{"type": "text", "content": QUESTION}]}]
    ),
    "gen_ai.output.messages": json.dumps(
        [
            {
                "role": "assistant",
                "parts": [
                    {"type": "reasoning", "content": "1. 12 / 3 = 4 groups\n2. 4 * 2 = 8"},
                    {"type": "text", "content": "$8"},
                ],
                "finish_reason": "stop",
            }
        ]
    ),
}
INDEXED = {
    "gen_ai.system": "openai",
    "gen_ai.request.model": "tiny-2b",
    "gen_ai.prompt.0.role": "system",
    "gen_ai.prompt.0.content": "Be brief.",
    "gen_ai.prompt.1.role": "user",
    "gen_ai.prompt.1.content": "What is 17 + 25?",
    "gen_ai.completion.0.role": "assistant",
    "gen_ai.completion.0.content": "<think>7 + 5 = 12, carry 1\n1 + 2 + 1 = 4</think>42",
}
EVENT_PROMPT = json.dumps([{"role": "user", "content": "What is 9 * 8?"}])
EVENT_COMPLETION = json.dumps([{"role": "assistant", "content": "Step 1: 9 * 8 = 72\nAnswer: 72"}])


def record(exporter: SpanExporter) -> None:
    """Six spans through ``exporter``: three GenAI chats (current conventions, deprecated indexed
    attributes, deprecated events), an embeddings call, an HTTP span, and a chat without content."""
    provider = TracerProvider(resource=Resource.create({"service.name": "interop-test"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("tests.interop")
    with tracer.start_as_current_span("chat tiny-2b", attributes=CURRENT):
        pass
    with tracer.start_as_current_span("openai.chat", attributes=INDEXED):
        pass
    with tracer.start_as_current_span("chat", attributes={"gen_ai.operation.name": "chat"}) as span:
        span.add_event("gen_ai.content.prompt", {"gen_ai.prompt": EVENT_PROMPT})
        span.add_event("gen_ai.content.completion", {"gen_ai.completion": EVENT_COMPLETION})
    embed = {"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "e5"}
    with tracer.start_as_current_span("embeddings e5", attributes=embed):
        pass
    with tracer.start_as_current_span("GET /health", attributes={"http.request.method": "GET"}):
        pass
    with tracer.start_as_current_span("chat", attributes={"gen_ai.operation.name": "chat"}):
        pass
    provider.shutdown()


def recorded() -> Sequence[ReadableSpan]:
    """The six spans, kept in memory."""
    memory = InMemorySpanExporter()
    record(memory)
    return memory.get_finished_spans()


def expected() -> dict[str, tuple[list[str], str]]:
    """prompt -> (steps, answer) of the three traces the spans hold."""
    return {
        QUESTION: (["12 / 3 = 4 groups", "4 * 2 = 8"], "$8"),
        "What is 17 + 25?": (["7 + 5 = 12, carry 1", "1 + 2 + 1 = 4"], "42"),
        "What is 9 * 8?": (["9 * 8 = 72"], "72"),
    }


def json_line(spans: Sequence[ReadableSpan]) -> bytes:
    """The spans as one OTLP/JSON line, as the collector's file exporter writes it (hex ids)."""
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    doc = MessageToDict(encode_spans(spans))
    for resource in doc["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return json.dumps(doc).encode()
