"""Scoring a stored trace and comparing two traces."""

import httpx
from tests.traces.factories import trace_doc

PLANTED = trace_doc(
    0,
    prompt="What is 478 + 256?",
    steps=[
        {"i": 0, "type": "compute", "content": "8+6=14, write 4 carry 1"},
        {"i": 1, "type": "compute", "content": "7+5+1=13, write 3 carry 1"},
        {"i": 2, "type": "compute", "content": "4+2+1=8, write 8"},
    ],
    final_answer="834",
)


async def _post(client: httpx.AsyncClient, doc: dict[str, object]) -> str:
    response = await client.post("/api/traces", json=doc)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_step_check_lists_the_planted_wrong_step(client: httpx.AsyncClient) -> None:
    trace_id = await _post(client, PLANTED)
    body = (
        await client.post(f"/api/traces/{trace_id}/score", json={"scorer": "step_check"})
    ).json()
    assert body["scorer"] == "step_check"
    assert body["claims"] == 3
    assert body["wrong_steps"] == [{"i": 2, "expression": "4+2+1", "claimed": "8", "actual": "7"}]
    assert abs(body["score"] - 2 / 3) < 1e-6


async def test_baseline_score_is_in_range(client: httpx.AsyncClient) -> None:
    trace_id = await _post(client, trace_doc(1))
    body = (await client.post(f"/api/traces/{trace_id}/score")).json()
    assert body["scorer"] == "baseline"
    assert (body["min_score"], body["max_score"]) == (0.0, 1.0)
    assert 0.0 < body["score"] < 1.0
    assert body["step_count"] == 2


async def test_unknown_scorer_is_422(client: httpx.AsyncClient) -> None:
    trace_id = await _post(client, trace_doc(1))
    response = await client.post(f"/api/traces/{trace_id}/score", json={"scorer": "vibes"})
    assert response.status_code == 422
    assert "scorer" in response.text


async def test_compare_shows_step_diff_and_answers(client: httpx.AsyncClient) -> None:
    good = trace_doc(
        0,
        prompt="What is 478 + 256?",
        steps=[*PLANTED["steps"][:2], {"i": 2, "type": "compute", "content": "4+2+1=7, write 7"}],  # type: ignore[index]
        final_answer="734",
    )
    base, other = await _post(client, good), await _post(client, PLANTED)
    response = await client.get("/api/traces/compare", params={"base": base, "other": other})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["same_answer"] is False
    assert [d["op"] for d in body["step_diff"]] == ["equal", "replace"]
    assert body["step_diff"][1]["other"][0]["content"] == "4+2+1=8, write 8"
    checks = [s for s in body["other_scores"] if s["scorer"] == "step_check"]
    assert checks[0]["wrong_steps"][0]["i"] == 2


async def test_compare_missing_trace_is_404(client: httpx.AsyncClient) -> None:
    base = await _post(client, trace_doc(1))
    missing = "00000000-0000-0000-0000-000000000000"
    response = await client.get("/api/traces/compare", params={"base": base, "other": missing})
    assert response.status_code == 404
    assert missing in response.json()["message"]
