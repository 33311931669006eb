"""Prometheus series for the queue and workers (on `/metrics` and `worker --metrics-port`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

QUEUE_DEPTH = Gauge("tunix_rt_jobs", "Jobs in the queue table, by status", ["status"])
CLAIM_LATENCY = Histogram(
    "tunix_rt_job_claim_seconds",
    "Time of one claim statement (including its commit)",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
RUN_DURATION = Histogram(
    "tunix_rt_job_duration_seconds",
    "Wall time of a job attempt, by kind and final status",
    ["kind", "status"],
    buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400),
)
WORKER_HEARTBEAT = Gauge(
    "tunix_rt_worker_heartbeat_timestamp_seconds", "Last lease heartbeat of a worker", ["worker"]
)
WORKER_RUNNING = Gauge("tunix_rt_worker_running_jobs", "Jobs a worker is executing", ["worker"])
JOBS_REAPED = Counter(
    "tunix_rt_jobs_reaped_total", "Jobs recovered from an expired lease, by outcome", ["outcome"]
)
