"""External evaluations: another system's predictions judged by ours, beside our runs.

An external evaluation is an ``evaluate`` run with no training parent: the run stands for the
external model (its ``model`` is the model name, its config records the source file's format,
name and sha256 and how its rows matched the eval set), and the evaluation belongs to it
(``run_id`` = ``job_run_id``). The matched predictions are written to the run's predictions
file, so the ``evaluate`` job, the leaderboard and ``compare`` treat it as any run's.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import orjson
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tunix_rt.datasets import evalsets
from tunix_rt.datasets.render import TraceStyle
from tunix_rt.errors import InvalidInput, NotFound, Problem
from tunix_rt.evaluation import external
from tunix_rt.evaluation.judges import DEFAULT_JUDGES
from tunix_rt.evaluation.models import Evaluation
from tunix_rt.evaluation.predictions import PredictionRow, predictions_path
from tunix_rt.evaluation.schemas import EvaluateRequest, EvaluationPublic
from tunix_rt.evaluation.service import EVALUATE_KIND, check_judges
from tunix_rt.runs import service as runs_service
from tunix_rt.settings import Settings

REPORTED_IDS = 20


class ExternalEvaluateRequest(BaseModel):
    """Judge a prediction file of another system on one of our eval sets."""

    model_config = ConfigDict(extra="forbid")

    eval_set: str = Field(min_length=1, max_length=200)
    # None: sniffed from the content.
    format: external.ExternalFormat | None = None
    # Shown on the leaderboard; default: the model the file names (inspect), else the file name.
    model_name: str | None = Field(default=None, min_length=1, max_length=500)
    # The file's name, recorded with its sha256.
    source: str | None = Field(default=None, max_length=500)
    judges: list[str] = Field(default_factory=lambda: list(DEFAULT_JUDGES), min_length=1)
    primary_judge: str | None = None
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    # Score eval-set items the file lacks as empty predictions instead of refusing the file.
    allow_missing: bool = False
    # The trace style the outputs are written in, for ``step_check`` and ``format`` (a file
    # carries none: without it those judges answer ``unknown_style``).
    style: TraceStyle | None = None

    def evaluate_request(self) -> EvaluateRequest:
        """The judging part, as a run's evaluation request."""
        return EvaluateRequest(
            eval_set=self.eval_set, judges=self.judges, primary_judge=self.primary_judge,
            seed=self.seed,
        )  # fmt: skip


class ExternalReport(BaseModel):
    """What was read from the file and how its rows matched the eval set."""

    format: external.ExternalFormat
    model_name: str
    source: str | None
    sha256: str
    rows: int
    matched: int
    # Matched by prompt text (no id in the file that the eval set has).
    by_prompt: int
    # Rows that match no eval-set item, and eval-set items with no row (first ids of each).
    extra: int
    extra_ids: list[str]
    missing: int
    missing_ids: list[str]
    # Matched rows the file marks as cut off by a token limit (where its format can tell).
    truncated: int = 0


class ExternalEvaluationPublic(EvaluationPublic):
    """An external evaluation and the report of its file."""

    external: ExternalReport


def _coverage(matched: external.Matched, n_items: int, allow_missing: bool) -> list[Problem]:
    if not matched.rows:
        extra = external.first_ids(matched.extra)
        return [Problem("predictions", f"no row matches an eval-set item (rows: {extra})")]
    if matched.missing and not allow_missing:
        missing = external.first_ids(matched.missing)
        msg = f"{missing} of {n_items} eval-set items have no prediction"
        return [Problem("predictions", msg + " (allow_missing scores them as empty)")]
    return []


def _report(
    request: ExternalEvaluateRequest, parsed: external.ExternalFile, matched: external.Matched,
    data: bytes,
) -> ExternalReport:  # fmt: skip
    stem = Path(request.source).stem if request.source else None
    return ExternalReport(
        format=parsed.format,
        model_name=request.model_name or parsed.model_name or stem or f"external-{parsed.format}",
        source=request.source,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=len(parsed.rows),
        matched=len(matched.rows),
        by_prompt=matched.by_prompt,
        extra=len(matched.extra),
        extra_ids=matched.extra[:REPORTED_IDS],
        missing=len(matched.missing),
        missing_ids=matched.missing[:REPORTED_IDS],
        truncated=sum(row.truncated for row in matched.rows.values()),
    )


def _write(path: Path, item_ids: list[str], rows: dict[str, PredictionRow]) -> None:
    """The run's predictions file, in eval-set order (a missing item: an empty prediction)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for item_id in item_ids:
            row = rows.get(item_id) or PredictionRow(item_id, "", False)
            doc = {"id": item_id, "prediction": row.prediction, "truncated": row.truncated}
            out.write(orjson.dumps(doc) + b"\n")


async def request_external_evaluation(
    *,
    session: AsyncSession,
    settings: Settings,
    data: bytes,
    request: ExternalEvaluateRequest,
    mode: str = "async",
) -> tuple[Evaluation, ExternalReport]:
    """Read and match the file, record the external run with its evaluation and enqueue the
    ``evaluate`` job; ``InvalidInput`` (nothing stored) for a bad file or request; flushes."""
    body = request.evaluate_request()
    problems = check_judges(body, settings)
    try:
        items = await evalsets.list_eval_items(session=session, name=request.eval_set)
    except NotFound:
        items = []
        problems.append(Problem("eval_set", f"eval set {request.eval_set!r} not found"))
    if problems:
        raise InvalidInput("invalid external evaluation request", problems=problems)
    parsed = external.read_external(data, request.format)
    matched = external.match(parsed.rows, {item.id: item.prompt for item in items})
    if problems := _coverage(matched, len(items), request.allow_missing):
        raise InvalidInput("invalid predictions file", problems=problems)
    report = _report(request, parsed, matched, data)
    evaluation_id = uuid.uuid4()
    run = await runs_service.create_run(
        session=session,
        settings=settings,
        kind=EVALUATE_KIND,
        name=f"external-{report.model_name}-{request.eval_set}"[:200],
        config={
            "evaluation_id": str(evaluation_id),
            "external": report.model_dump(mode="json"),
            **body.model_dump(),
            "style": request.style,  # read back by predictions.trained_style, as a run's
        },
        model=report.model_name,
        mode=mode,
        max_attempts=1 if mode == "sync" else 2,
    )
    evaluation = Evaluation(
        id=evaluation_id, run_id=run.id, job_run_id=run.id, eval_set=request.eval_set,
        judges=list(body.judges), primary_judge=body.primary_judge or body.judges[0],
        dataset_key=None, model=report.model_name, seed=body.seed,
    )  # fmt: skip
    session.add(evaluation)
    await session.flush()
    set_committed_value(evaluation, "job_run", run)
    path = predictions_path(Path(run.run_dir), request.eval_set)
    _write(path, [item.id for item in items], matched.rows)
    return evaluation, report
