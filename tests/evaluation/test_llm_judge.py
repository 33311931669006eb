"""``llm_judge`` over real HTTP against the local chat-completions stand-in server."""

from __future__ import annotations

import json

import pytest
from tests.evaluation.chat_server import chat_server, closed_port_url

from tunix_rt.evaluation.judges.llm_judge import (
    JudgeUnavailable,
    LlmJudge,
    LlmJudgeConfig,
    endpoint_url,
    parse_reply,
    probe,
)
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction

ITEM = JudgeItem(id="q1", prompt="What is 3 + 4?", expected_answer="7")
GOOD = json.dumps({"score": 1, "label": "correct", "reason": "7 equals 7"})


def _config(url: str, **kw: float) -> LlmJudgeConfig:
    return LlmJudgeConfig(base_url=url, model="judge", api_key="k", backoff_s=0.01, **kw)


def test_scores_from_the_judge_reply() -> None:
    with chat_server([(200, GOOD, 0)]) as (url, script):
        judge = LlmJudge(_config(url))
        verdict = judge(ITEM, Prediction("Answer: 7"))
        judge.close()
    assert (verdict.score, verdict.label, verdict.reason) == (1.0, "correct", "7 equals 7")
    body = script.requests[0]["body"]
    assert body["model"] == "judge"
    assert body["response_format"] == {"type": "json_object"}
    assert "Reference answer:\n7" in body["messages"][1]["content"]


def test_retries_server_errors_with_backoff() -> None:
    with chat_server([(503, "busy", 0), (429, "slow down", 0), (200, GOOD, 0)]) as (url, script):
        judge = LlmJudge(_config(url))
        verdict = judge(ITEM, Prediction("Answer: 7"))
        judge.close()
    assert verdict.score == 1.0
    assert len(script.requests) == 3


def test_unparseable_reply_skips_the_item() -> None:
    with chat_server([(200, "I think it is right!", 0)]) as (url, script):
        judge = LlmJudge(_config(url))
        verdict = judge(ITEM, Prediction("Answer: 7"))
        judge.close()
    assert verdict.score is None
    assert verdict.label == "judge_unparseable"
    assert len(script.requests) == 2


def test_unreachable_endpoint_raises_with_the_reason() -> None:
    judge = LlmJudge(_config(closed_port_url()))
    with pytest.raises(JudgeUnavailable, match=r"unreachable after 3 attempts: ConnectError"):
        judge(ITEM, Prediction("Answer: 7"))
    judge.close()


def test_timeouts_are_retried_then_fail() -> None:
    with chat_server([(200, GOOD, 0.5)]) as (url, script):
        judge = LlmJudge(_config(url, timeout_s=0.1, max_attempts=2))
        with pytest.raises(JudgeUnavailable, match="ReadTimeout"):
            judge(ITEM, Prediction("Answer: 7"))
        judge.close()
    assert len(script.requests) == 2


def test_refused_request_fails_at_once() -> None:
    with chat_server([(401, "bad key", 0)]) as (url, script):
        judge = LlmJudge(_config(url))
        with pytest.raises(JudgeUnavailable, match="HTTP 401"):
            judge(ITEM, Prediction("Answer: 7"))
        judge.close()
    assert len(script.requests) == 1


def test_unconfigured_judge_is_refused() -> None:
    with pytest.raises(JudgeUnavailable, match="TUNIX_RT_JUDGE_BASE_URL"):
        LlmJudge(LlmJudgeConfig(base_url="", model=""))


@pytest.mark.parametrize(
    ("reply", "parsed"),
    [
        ('{"score": 0.5, "label": "partial", "reason": "r"}', (0.5, "partial", "r")),
        ('```json\n{"score": 0}\n```', (0.0, "wrong", "")),
        ('{"score": 2}', None),
        ('{"score": true}', None),
        ('{"label": "correct"}', None),
        ("[1]", None),
        ("{not json}", None),
    ],
)
def test_parse_reply(reply: str, parsed: tuple[float, str, str] | None) -> None:
    assert parse_reply(reply) == parsed


@pytest.mark.parametrize("base", ["http://h:1", "http://h:1/", "http://h:1/v1", "http://h:1/v1/"])
def test_endpoint_url_accepts_either_base(base: str) -> None:
    assert endpoint_url(base, "models") == "http://h:1/v1/models"


async def test_probe_reports_reachability() -> None:
    with chat_server([(200, GOOD, 0)]) as (url, _):
        ok, detail, _latency = await probe(_config(url))
    assert ok, detail
    ok, detail, _latency = await probe(_config(closed_port_url()))
    assert not ok
    assert "ConnectError" in detail
