"""``POST /v1/traces``: OTLP/JSON and OTLP/protobuf (encoded by the SDK's own encoder)."""

from typing import Any

import httpx
import orjson
import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from tests.interop import otel

PROTOBUF = {"Content-Type": "application/x-protobuf"}


async def _traces(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    listed = await client.get("/api/traces", params={"source": "otlp", "limit": 50})
    return {t["prompt"]: t for t in listed.json()["data"]}


def _said(traces: dict[str, dict[str, Any]]) -> dict[str, tuple[list[str], str]]:
    return {p: ([s["content"] for s in t["steps"]], t["final_answer"]) for p, t in traces.items()}


async def test_protobuf_spans_become_traces_and_the_rest_is_rejected_with_reasons(
    client: httpx.AsyncClient,
) -> None:
    body = encode_spans(otel.recorded()).SerializeToString()
    response = await client.post("/v1/traces", content=body, headers=PROTOBUF)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-protobuf"
    answer = trace_service_pb2.ExportTraceServiceResponse.FromString(response.content)
    assert answer.partial_success.rejected_spans == 3
    message = answer.partial_success.error_message
    assert message.startswith(
        "2 spans are not GenAI chat or completion calls (ignored); 1 GenAI span holds no trace: "
    )
    assert "spans[5]: attributes: a GenAI span without its messages" in message
    traces = await _traces(client)
    assert _said(traces) == otel.expected()
    current = traces[otel.QUESTION]["meta"]
    usage = {"input_tokens": 31, "output_tokens": 58}
    assert (current["model"], current["usage"]) == ("tiny-2b-0601", usage)
    assert current["system"] == "Think step by step."
    assert (current["service"], current["origin"]["span"]) == ("interop-test", "chat tiny-2b")
    assert len(current["origin"]["trace_id"]) == 32  # hex, as in OTLP/JSON
    again = await client.post("/v1/traces", content=body, headers=PROTOBUF)
    assert again.status_code == 200
    assert len(await _traces(client)) == 3  # the same spans again are duplicates


async def test_json_spans_and_an_empty_partial_success(client: httpx.AsyncClient) -> None:
    attrs = [{"key": k, "value": {"stringValue": v} if isinstance(v, str) else {"intValue": str(v)}}
             for k, v in otel.CURRENT.items()]  # fmt: skip
    span = {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331",
            "name": "chat tiny-2b", "kind": 3, "attributes": attrs}  # fmt: skip
    body = {"resourceSpans": [{"scopeSpans": [{"scope": {"name": "x"}, "spans": [span]}]}]}
    response = await client.post("/v1/traces", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {}
    [trace] = (await _traces(client)).values()
    assert trace["meta"]["origin"]["span_id"] == "b7ad6b7169203331"
    assert _said({trace["prompt"]: trace}) == {otel.QUESTION: otel.expected()[otel.QUESTION]}


@pytest.mark.parametrize(
    ("body", "headers", "status", "loc"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 422, ["body"]),
        (orjson.dumps({"resourceSpans": "x"}), {"Content-Type": "application/json"}, 422,
         ["body", "resourceSpans"]),
        (b"\xff\xff\xff", PROTOBUF, 422, ["body"]),
        (b"{}", {"Content-Type": "text/plain"}, 415, ["header", "content-type"]),
        (b"{}", {"Content-Type": "application/json", "Content-Encoding": "gzip"}, 422, ["body"]),
    ],
)  # fmt: skip
async def test_bad_requests_are_4xx_naming_the_part(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str], status: int, loc: list[str]
) -> None:
    response = await client.post("/v1/traces", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["detail"][0]["loc"] == loc


async def test_gzip_bodies_are_read(client: httpx.AsyncClient) -> None:
    import gzip

    body = gzip.compress(encode_spans(otel.recorded()[:1]).SerializeToString())
    headers = {**PROTOBUF, "Content-Encoding": "gzip"}
    response = await client.post("/v1/traces", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert list(await _traces(client)) == [otel.QUESTION]


async def test_the_receiver_needs_write_scope(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/traces", json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
