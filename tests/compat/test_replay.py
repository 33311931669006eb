"""Replay every request of the earlier client (seed_requests.json) against a live app.

With ``TUNIX_RT_SEED_COMPAT`` on, each request gets the earlier status class and every field
the earlier client reads, with its type, except the departures documented in docs/compat.md
(``expectations.DIFFERENCES``, ``expectations.NOT_POSSIBLE``). With it off, every request the
earlier client saw succeed and ours refuses names what to change.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.compat.expectations import DIFFERENCES, NOT_POSSIBLE, SPECIAL
from tests.compat.live import live
from tests.compat.replay import (
    FALLBACK_IDS,
    REQUESTS,
    Outcome,
    check_fields,
    fill,
    replay_all,
    status_class,
)


def problems_of(req: dict[str, Any], out: Outcome, ids: dict[str, str]) -> list[str]:
    """What differs from what this request must show with the adapter on."""
    expected = DIFFERENCES.get(req["id"]) or NOT_POSSIBLE.get(req["id"])
    if expected is not None:
        if out.status != expected[0]:
            return [f"status {out.status}, documented {expected[0]}"]
    elif status_class(out.status) != status_class(req["old_status"]):
        return [f"status {out.status}, earlier {req['old_status']}"]
    doc = out.json()
    found = check_fields(doc, req["response_fields_read"]) if doc is not None else []
    special = SPECIAL.get(req["id"])
    return found + (special(out, ids) if special else [])


async def test_every_earlier_request_replays_with_the_adapter_on(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with live(db_backend, tmp_path_factory, compat=True) as app:
        outcomes = await replay_all(app.http, app.ids, app.ingest_dir)
    ids = {**app.ids, "trace_prompt": REQUESTS[3]["body"]["prompt"]}
    failures = {req["id"]: found for req, out in outcomes if (found := problems_of(req, out, ids))}
    assert failures == {}
    counts = {
        "compatible": len(REQUESTS) - len(DIFFERENCES) - len(NOT_POSSIBLE),
        "adapted with a documented difference": len(DIFFERENCES),
        "not possible": len(NOT_POSSIBLE),
    }
    print(f"\nseed API replay ({db_backend}, {len(REQUESTS)} requests): {counts}")
    for name, (_status, why) in NOT_POSSIBLE.items():
        print(f"  not possible: {name}: {why}")
    assert counts == {
        "compatible": 71,
        "adapted with a documented difference": 9,
        "not possible": 2,
    }
    assert len({(r["method"], r["path"]) for r in REQUESTS}) == 47


def names_what_to_change(req: dict[str, Any], out: Outcome, ids: dict[str, str]) -> bool:
    """An error in our model whose items point at a field, or whose message names the path's
    id or a value the request sent."""
    doc = out.json()
    if not isinstance(doc, dict) or not isinstance(doc.get("detail"), list) or not doc["detail"]:
        return False
    if any(item["loc"] for item in doc["detail"]):
        return True
    filled = fill(req, {**FALLBACK_IDS, **ids})
    sent = [*filled["path"].split("/"), *map(str, (filled["body"] or {}).values())]
    return any(len(part) > 2 and part in doc["message"] for part in sent if isinstance(part, str))


async def test_with_the_adapter_off_each_refused_request_names_what_to_change(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with live(db_backend, tmp_path_factory, compat=False) as app:
        outcomes = await replay_all(app.http, app.ids, app.ingest_dir)
    refused = [
        (req, out)
        for req, out in outcomes
        if status_class(req["old_status"]) == 2 and 400 <= out.status < 500
    ]
    unnamed = {
        req["id"]: out.text for req, out in refused if not names_what_to_change(req, out, app.ids)
    }
    assert unnamed == {}
    assert all(out.status < 500 for _req, out in outcomes)
    refused_ids = {req["id"] for req, _out in refused}
    # The list of what ours refuses in the earlier shape.
    assert {
        "dataset_build",
        "dataset_ingest",
        "sft_manifest",
        "run_dry",
        "run_evaluate",
        "regression_baseline",
        "regression_check",
        "tuning_create",
        "model_create",
        "model_promote",
    } <= refused_ids
    print(f"\nadapter off ({db_backend}): {len(refused)} refused, each naming what to change")
