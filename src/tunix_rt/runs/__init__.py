"""Runs: run records, the durable job queue, workers, logs, metrics and artifacts."""
