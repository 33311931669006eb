"""A running evaluation's progress, read from the progress file its evaluate run keeps in its
directory (written by generation per batch, then by judging; training/progress.py)."""

from __future__ import annotations

import time
from pathlib import Path

from tunix_rt.evaluation.models import Evaluation, EvaluationStatus
from tunix_rt.evaluation.schemas import EvaluationProgress
from tunix_rt.training.progress import FILE_NAME, ProgressDoc, read_progress


def _eta(doc: ProgressDoc, now: float) -> float | None:
    if doc.done <= 0:
        return None
    return max((now - doc.started_at) / doc.done * (doc.total - doc.done), 0.0)


def evaluation_progress(evaluation: Evaluation) -> EvaluationProgress | None:
    """Items generated / judged of the total, and the current phase's ETA, while it runs."""
    run = evaluation.job_run
    if run is None or evaluation.status != EvaluationStatus.RUNNING:
        return None
    doc = read_progress(Path(run.run_dir) / FILE_NAME)
    if doc is None:
        return None
    generating = doc.phase == "generating"
    return EvaluationProgress(
        phase=doc.phase,
        total=doc.total,
        generated=doc.done if generating else doc.total,
        judged=0 if generating else doc.done,
        eta_s=_eta(doc, time.time()),
    )
