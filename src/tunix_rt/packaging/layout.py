"""Names inside a package (docs/package.md), shared by its writer, card and notebook."""

from __future__ import annotations

FORMAT = "tunix-rt.package/1"
INDEX = "tunix_rt_package.json"
MODEL_DIR = "model"
# Written beside a trained model's weights by both training backends.
MODEL_META = "tunix_rt.json"
# The Tunix backend's Orbax directory inside final/ (training/tunix_backend/export.py).
ORBAX_DIR = "checkpoint"
TRAIN_DATA = "dataset/train.jsonl"
EVAL_DATA = "dataset/eval.jsonl"
EVAL_SET = "evaluation/eval_set.jsonl"
SCORECARD = "evaluation/scorecard.json"
CONFIG = "run/config.json"
METRICS = "run/metrics.jsonl"
