"""Chat and GSM8K-shaped JSON lines through ``POST /api/traces/import`` (the one pipeline)."""

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.traces.models import Trace

ASK = {"role": "user", "content": "What is 6 * 7?"}
CHATS: list[dict[str, Any]] = [
    {"messages": [{"role": "system", "content": "Show your work."}, ASK,
                  {"role": "assistant", "content": "<think>6 * 7 = 42</think>The answer is 42."}]},
    {"messages": [ASK, {"role": "assistant", "content": "42",
                        "reasoning_content": "1. 6 * 7 = 42\n2. 42 / 7 = 6, so it checks"}]},
    {"messages": [ASK, {"role": "assistant", "content": "Step 1: 6 * 7 = 42\nAnswer: 42"}]},
]  # fmt: skip
GSM8K = [
    {
        "question": "Natalia sold clips to 48 friends in April, and half as many in May. "
        "How many clips did she sell in April and May?",
        "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
        "Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72",
    }
]


def _jsonl(docs: list[Any]) -> bytes:
    return b"".join(orjson.dumps(d) + b"\n" for d in docs)


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Trace)) or 0)


async def _listed(client: httpx.AsyncClient, source: str) -> list[dict[str, Any]]:
    response = await client.get("/api/traces", params={"source": source, "limit": 50})
    return sorted(response.json()["data"], key=lambda t: t["meta"]["origin"]["line"])


@pytest.mark.parametrize("fmt", ["chat", "auto"])
async def test_chat_lines_in_each_reasoning_form_become_traces(
    client: httpx.AsyncClient, fmt: str
) -> None:
    response = await client.post(
        "/api/traces/import", params={"format": fmt}, content=_jsonl(CHATS)
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 3
    think, field, inline = await _listed(client, "chat")
    assert think["prompt"] == "What is 6 * 7?"
    assert [s["content"] for s in think["steps"]] == ["6 * 7 = 42"]
    assert think["final_answer"] == "42"
    assert think["meta"] == {
        "source": "chat",
        "origin": {"format": "chat", "line": 1},
        "reasoning": "think",
        "step_split": "whole",
        "system": "Show your work.",
    }
    assert [s["content"] for s in field["steps"]] == ["6 * 7 = 42", "42 / 7 = 6, so it checks"]
    assert (field["meta"]["reasoning"], field["meta"]["step_split"]) == (
        "reasoning_content",
        "numbered",
    )
    assert (inline["final_answer"], inline["meta"]["reasoning"]) == ("42", "content")
    again = await client.post("/api/traces/import", content=_jsonl(CHATS))
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 3)


async def test_gsm8k_lines_become_traces_without_calculator_annotations(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/traces/import", content=_jsonl(GSM8K))
    assert response.json()["created"] == 1, response.text
    [trace] = await _listed(client, "gsm8k")
    assert [s["content"] for s in trace["steps"]] == [
        "Natalia sold 48/2 = 24 clips in May.",
        "Natalia sold 48+24 = 72 clips altogether in April and May.",
    ]
    assert trace["final_answer"] == "72"
    assert trace["meta"]["step_split"] == "lines"
    score = await client.post(f"/api/traces/{trace['id']}/score", json={"scorer": "step_check"})
    assert score.json()["score"] == 1.0  # the annotations' claims survive as plain arithmetic


@pytest.mark.parametrize(
    ("fmt", "docs", "broken", "says"),
    [
        ("chat", CHATS, {"messages": [ASK]}, "line 3: messages: no assistant message"),
        ("auto", CHATS, b"{not json", "line 3: not valid JSON"),
        ("gsm8k", GSM8K * 3, {"question": "q?", "answer": "no marker"},
         "line 3: answer: no '#### final answer' line"),
        ("gsm8k", GSM8K * 3, {"question": "q" * 50_001, "answer": "1 + 1 = 2\n#### 2"},
         "line 3: prompt: String should have at most 50000 characters"),
    ],
)  # fmt: skip
async def test_a_broken_line_names_its_number_and_imports_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    fmt: str,
    docs: list[Any],
    broken: object,
    says: str,
) -> None:
    lines = [orjson.dumps(d) for d in docs[:2]]
    lines.append(broken if isinstance(broken, bytes) else orjson.dumps(broken))
    body = b"\n".join(lines)
    response = await client.post("/api/traces/import", params={"format": fmt}, content=body)
    assert response.status_code == 422, response.text
    assert response.json()["message"] == "1 bad line; nothing imported"
    [problem] = response.json()["detail"]
    assert f"{problem['loc'][0]}: {problem['msg']}".startswith(says), problem
    assert await _count(session) == 0
    skipped = await client.post(
        "/api/traces/import", params={"format": fmt, "skip_invalid": "true"}, content=body
    )
    result = skipped.json()
    assert (result["created"] + result["duplicates"], result["skipped"]) == (2, 1)


async def test_format_is_a_declared_parameter(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/traces/import", params={"format": "nope"}, content=_jsonl(GSM8K)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "format"]
    parquet_only = await client.post(
        "/api/traces/import", params={"format": "hf"}, content=_jsonl(GSM8K)
    )
    assert parquet_only.status_code == 422
    assert parquet_only.json()["detail"][0]["loc"] == ["format"]
