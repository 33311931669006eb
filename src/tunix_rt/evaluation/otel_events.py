"""An evaluation's verdicts as OpenTelemetry ``gen_ai.evaluation.result`` events (OTLP JSON).

One log record (event) per item and judge, in the shape of an OTLP/HTTP JSON
``ExportLogsServiceRequest``: ``eventName`` ``gen_ai.evaluation.result`` with the GenAI
semantic conventions' attributes ``gen_ai.evaluation.name`` (the judge),
``gen_ai.evaluation.score.value`` (absent where the judge skipped the item),
``gen_ai.evaluation.score.label``, ``gen_ai.evaluation.explanation`` (the reason) and
``gen_ai.response.id`` (``<evaluation id>/<item id>``: our predictions have no response id of
their own), plus ``tunix_rt.*`` attributes naming the eval set, item, judge version and run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt import __version__
from tunix_rt.errors import InvalidState
from tunix_rt.evaluation.models import Evaluation, EvaluationResult, EvaluationStatus
from tunix_rt.evaluation.scorecard import Scorecard
from tunix_rt.evaluation.service import all_results, get_evaluation

EVENT_NAME = "gen_ai.evaluation.result"
SCOPE = "tunix_rt.evaluation"
SEVERITY_INFO = 9


def _value(value: str | float | int) -> dict[str, Any]:
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"intValue": str(value)}  # OTLP JSON writes 64-bit integers as strings
    return {"doubleValue": float(value)}


def _attributes(pairs: dict[str, str | float | int | None]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _value(v)} for k, v in pairs.items() if v is not None]


def _record(
    evaluation: Evaluation, result: EvaluationResult, judge: str, versions: dict[str, str],
    time_ns: str,
) -> dict[str, Any]:  # fmt: skip
    verdict = result.verdicts.get(judge) or {}
    score = verdict.get("score")
    attributes = {
        "gen_ai.evaluation.name": judge,
        "gen_ai.evaluation.score.value": score if isinstance(score, int | float) else None,
        "gen_ai.evaluation.score.label": verdict.get("label"),
        "gen_ai.evaluation.explanation": verdict.get("reason") or None,
        "gen_ai.response.id": f"{evaluation.id}/{result.item_id}",
        "gen_ai.request.model": evaluation.model,
        "tunix_rt.evaluation.id": str(evaluation.id),
        "tunix_rt.run.id": str(evaluation.run_id),
        "tunix_rt.eval_set": evaluation.eval_set,
        "tunix_rt.item.id": result.item_id,
        "tunix_rt.judge.version": versions.get(judge),
    }
    return {
        "timeUnixNano": time_ns,
        "observedTimeUnixNano": time_ns,
        "severityNumber": SEVERITY_INFO,
        "severityText": "INFO",
        "eventName": EVENT_NAME,
        "attributes": _attributes(attributes),
    }


def events_document(evaluation: Evaluation, results: Sequence[EvaluationResult]) -> dict[str, Any]:
    """The OTLP JSON logs request holding every item's verdict by every judge."""
    card = Scorecard.model_validate(evaluation.scorecard) if evaluation.scorecard else None
    versions = {name: c.version for name, c in card.judges.items()} if card else {}
    when = evaluation.finished_at or evaluation.created_at
    time_ns = str(int(when.timestamp() * 1_000_000) * 1000)
    records = [
        _record(evaluation, result, judge, versions, time_ns)
        for result in results
        for judge in evaluation.judges
    ]
    resource = {"service.name": "tunix-rt", "service.version": __version__}
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": _attributes(dict(resource))},
                "scopeLogs": [
                    {"scope": {"name": SCOPE, "version": __version__}, "logRecords": records}
                ],
            }
        ]
    }


async def export_events(*, session: AsyncSession, evaluation_id: uuid.UUID) -> bytes:
    """An evaluation's events as OTLP JSON bytes; ``NotFound`` for an unknown evaluation,
    ``InvalidState`` for one that has not succeeded."""
    evaluation = await get_evaluation(session=session, evaluation_id=evaluation_id)
    if evaluation.status != EvaluationStatus.SUCCEEDED:
        raise InvalidState(f"evaluation {evaluation_id} is {evaluation.status}, not succeeded")
    results = await all_results(session=session, evaluation_id=evaluation.id)
    return orjson.dumps(events_document(evaluation, results))
