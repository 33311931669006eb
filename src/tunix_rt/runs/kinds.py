"""Imports every module that registers job kinds (one line per domain; add yours)."""

import tunix_rt.evaluation.jobs
import tunix_rt.runs.builtin_jobs
import tunix_rt.runs.train_job
import tunix_rt.tuning.jobs  # noqa: F401
