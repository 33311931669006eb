"""The other GenAI span forms the receiver reads, mapped without a server (pure)."""

import json
from typing import Any

import pytest

from tunix_rt.traces.formats.otlp import SpanAt, span_doc
from tunix_rt.traces.formats.otlp_schema import Span, parse_json

ASK = json.dumps([{"role": "user", "content": "What is 2 + 3?"}])
THOUGHT = "<think>2 + 3 = 5</think>5"
REPLY = json.dumps([{"role": "assistant", "content": THOUGHT}])


def _kv(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    def value(v: Any) -> dict[str, Any]:
        return {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}

    return [{"key": k, "value": value(v)} for k, v in attrs.items()]


def _span(attrs: dict[str, Any], events: tuple[tuple[str, dict[str, Any]], ...] = ()) -> SpanAt:
    raw = {"name": "s", "attributes": _kv(attrs),
           "events": [{"name": n, "attributes": _kv(a)} for n, a in events]}  # fmt: skip
    return SpanAt("spans[0]", Span.model_validate(raw), {})


@pytest.mark.parametrize(
    "at",
    [
        _span({"gen_ai.prompt": ASK, "gen_ai.completion": REPLY}),
        _span({"gen_ai.operation.name": "text_completion"},
              (("gen_ai.user.message", {"content": "What is 2 + 3?"}),
               ("gen_ai.choice", {"message": REPLY}))),
        _span({"gen_ai.operation.name": "chat"},
              (("gen_ai.client.inference.operation.details",
                {"gen_ai.input.messages": json.dumps(
                    [{"role": "user", "parts": [{"type": "text", "content": "What is 2 + 3?"}]}]),
                 "gen_ai.output.messages": json.dumps(
                    [{"role": "assistant", "parts": [{"type": "text", "content": THOUGHT}]}]
                 )}),)),
        _span({"gen_ai.system": "openai", "gen_ai.prompt.0.content": "What is 2 + 3?",
               "gen_ai.completion.0.content": "2 + 3 = 5\nAnswer: 5"}),
    ],
)  # fmt: skip
def test_each_deprecated_form_gives_the_same_trace(at: SpanAt) -> None:
    doc = span_doc(at, {"format": "otlp"})
    assert doc is not None
    assert (doc["prompt"], doc["final_answer"]) == ("What is 2 + 3?", "5")
    assert [s["content"] for s in doc["steps"]] == ["2 + 3 = 5"]


@pytest.mark.parametrize(
    "attrs",
    [{"gen_ai.operation.name": "embeddings"}, {"gen_ai.operation.name": "execute_tool"},
     {"http.request.method": "GET"}, {}],
)  # fmt: skip
def test_other_spans_hold_no_trace(attrs: dict[str, Any]) -> None:
    assert span_doc(_span(attrs), {}) is None


def test_an_int_past_int64_stays_text() -> None:
    request = parse_json({"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": _kv(
        {"gen_ai.prompt": ASK, "gen_ai.completion": REPLY,
         "gen_ai.usage.input_tokens": 10**30, "gen_ai.request.model": 10**30})}]}]}]})  # fmt: skip
    span = request.resource_spans[0].scope_spans[0].spans[0]
    doc = span_doc(SpanAt("", span, {}), {})
    assert doc is not None
    assert doc["meta"]["model"] == str(10**30)
    assert "usage" not in doc["meta"]
