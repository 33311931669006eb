"""What the package's notebook calls: find the package, retrain its run, score the result.

Runs wherever the notebook runs (a Kaggle TPU or GPU, or a CPU box), with no database: the
package directory holds the config and data, and the scores come from the pure judges.
"""

from __future__ import annotations

import glob
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from tunix_rt.evaluation.judges import DEFAULT_JUDGES, JUDGES, JudgeItem, Prediction
from tunix_rt.evaluation.predictions import read_predictions, trained_style
from tunix_rt.evaluation.scorecard import ItemOutcome, Scorecard, build_scorecard
from tunix_rt.packaging.layout import CONFIG, EVAL_DATA, EVAL_SET, INDEX, METRICS, TRAIN_DATA

KAGGLE_INPUT = "/kaggle/input"
KAGGLE_WORKING = Path("/kaggle/working")


def find_package(explicit: str | Path | None = None) -> Path:
    """The unzipped package: ``explicit``, else the working directory or a Kaggle input."""
    if explicit is not None:
        candidates = [Path(explicit)]
    else:
        inputs = sorted(glob.glob(f"{KAGGLE_INPUT}/*")) + sorted(glob.glob(f"{KAGGLE_INPUT}/*/*"))
        candidates = [Path.cwd(), *map(Path, inputs)]
    for path in candidates:
        if (path / INDEX).is_file():
            return path.absolute()
    raise FileNotFoundError(f"no {INDEX} in {', '.join(map(str, candidates))}")


def default_output_dir() -> Path:
    """``/kaggle/working/run`` on Kaggle, ``./run`` elsewhere."""
    return (KAGGLE_WORKING / "run") if KAGGLE_WORKING.is_dir() else Path("run").absolute()


def prepare_config(
    package: Path,
    *,
    output_dir: Path,
    data: str | Path | None = None,
    model: str | None = None,
    steps: int | None = None,
) -> Path:
    """The run's config, pointed at this machine's paths, written beside ``output_dir``."""
    doc: dict[str, Any] = json.loads((package / CONFIG).read_text(encoding="utf-8"))
    doc["dataset"] = None
    doc["data_path"] = str(Path(data or package / TRAIN_DATA).absolute())
    if (package / EVAL_DATA).is_file():
        doc["eval_data_path"] = str((package / EVAL_DATA).absolute())
    doc["output_dir"] = str(output_dir.absolute())
    if model:
        # Another base model: the run's shape overrides belonged to its own model.
        doc["model"], doc["model_overrides"] = model, None
    if steps:
        doc["max_steps"] = steps
    if (output_dir / "run_manifest.json").is_file():
        shutil.rmtree(output_dir)  # an earlier reproduction: train afresh, not resume
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    path = output_dir.parent / f"{output_dir.name}.config.json"
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def train(config_path: Path) -> None:
    """``python -m tunix_rt.training --config``; prints its output, raises if it failed."""
    argv = [sys.executable, "-m", "tunix_rt.training", "--config", str(config_path)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    print(proc.stdout[-4000:], proc.stderr[-4000:], sep="\n")
    proc.check_returncode()


def losses(metrics_file: Path) -> list[float]:
    """The train losses of a ``metrics.jsonl``, in step order."""
    events = [json.loads(line) for line in metrics_file.read_text().splitlines() if line.strip()]
    return [e["loss"] for e in events if e.get("event") == "train"]


def original_losses(package: Path) -> list[float]:
    """The packaged run's own train losses (empty when it logged none)."""
    path = package / METRICS
    return losses(path) if path.is_file() else []


def eval_items(path: Path, *, limit: int | None = None) -> list[JudgeItem]:
    """Eval-set items, or a trace file's held-out rows (its first rows when none are held out)."""
    docs = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    held = [d for d in docs if d.get("split") == "eval"]
    chosen = held or [d for d in docs if d.get("split") in (None, "train")]
    items = [
        JudgeItem(
            id=str(d.get("id") or n),
            prompt=d["prompt"],
            expected_answer=str(d.get("expected_answer", d.get("final_answer", ""))),
            section=d.get("section"),
            category=d.get("category"),
            difficulty=d.get("difficulty"),
        )
        for n, d in enumerate(chosen, start=1)
    ]
    return items[:limit] if limit else items


def score_items_file(package: Path) -> Path:
    """What the notebook scores on: the packaged eval set, else the packaged training data."""
    for name in (EVAL_SET, EVAL_DATA, TRAIN_DATA):
        if (package / name).is_file():
            return package / name
    raise FileNotFoundError(f"{package} holds no eval set or data")


def score(
    package: Path, run_dir: Path, *, max_new_tokens: int = 64, limit: int | None = 200
) -> Scorecard:
    """Generate from ``run_dir/final`` on the eval items and score them with the judges."""
    from tunix_rt.training import generate

    items = eval_items(score_items_file(package), limit=limit)
    prompts = run_dir / "score-items.jsonl"
    lines = [orjson.dumps({"id": i.id, "prompt": i.prompt}) + b"\n" for i in items]
    prompts.write_bytes(b"".join(lines))
    out = run_dir / "predictions.jsonl"
    generate.run(run_dir / "final", prompts, out, max_new_tokens=max_new_tokens, batch_size=16)
    rows = read_predictions(out)
    config = json.loads((package / CONFIG).read_text(encoding="utf-8"))
    style, template = trained_style(run_dir, config)
    outcomes = []
    for item in items:
        row = rows[item.id]
        prediction = Prediction(row.prediction, row.truncated, style, template)
        verdicts = {name: JUDGES[name].fn(item, prediction) for name in DEFAULT_JUDGES}
        outcomes.append(ItemOutcome(item, verdicts))
    card = build_scorecard(outcomes, judges=DEFAULT_JUDGES, primary=DEFAULT_JUDGES[0])
    (run_dir / "scorecard.json").write_text(card.model_dump_json(indent=2) + "\n")
    return card
