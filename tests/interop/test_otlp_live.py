"""The OpenTelemetry SDK's own OTLP/HTTP exporter sends GenAI spans to a live ``tunix-rt serve``
(a subprocess on a free port, auth on, a write token), and they appear as traces."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import SpanExportResult
from tests.conftest import own_database
from tests.interop import otel

SCRIPT = str(Path(sys.executable).parent / "tunix-rt")


@pytest.fixture(scope="module")
async def live_db(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with own_database(db_backend, tmp_path_factory) as url:
        yield url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(live_db: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``(base_url, write token)`` of a server that is up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNIX_RT_")}
    env.update(TUNIX_RT_HOME=str(tmp_path), TUNIX_RT_DATABASE_URL=live_db)
    env.update(TUNIX_RT_LOG_LEVEL="WARNING")
    made = subprocess.run(
        [SCRIPT, "tokens", "create", "otel-sdk", "--scope", "write"],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    argv = [SCRIPT, "serve", "--port", str(port), "--no-worker"]
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, made.stdout.strip()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert b"Traceback" not in (tmp_path / "serve.log").read_bytes()


def test_sdk_exporter_spans_appear_as_traces(served: tuple[str, str]) -> None:
    base, token = served
    auth = {"Authorization": f"Bearer {token}"}
    exporter = OTLPSpanExporter(endpoint=f"{base}/v1/traces", headers=auth, timeout=30)
    try:
        assert exporter.export(otel.recorded()) is SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    listed = httpx.get(f"{base}/api/traces", params={"source": "otlp"}, headers=auth, timeout=30)
    assert listed.status_code == 200, listed.text
    said = {
        t["prompt"]: ([s["content"] for s in t["steps"]], t["final_answer"])
        for t in listed.json()["data"]
    }
    assert said == otel.expected()
    refused = OTLPSpanExporter(endpoint=f"{base}/v1/traces", timeout=30)  # no token
    try:
        assert refused.export(otel.recorded()) is SpanExportResult.FAILURE
    finally:
        refused.shutdown()
