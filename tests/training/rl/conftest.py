"""The queue fixtures of tests/runs (worker, committed session factory, run polling)."""

from tests.runs.conftest import api, factory, start_worker, wait_run

__all__ = ["api", "factory", "start_worker", "wait_run"]
