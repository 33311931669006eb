"""The rules ``tunix-rt serve`` starts under: refusal without auth off loopback or in prod, the
loopback warning, and the once-printed bootstrap sign-in link (a real subprocess each)."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest

SCRIPT = str(Path(sys.executable).parent / "tunix-rt")
Serve = Callable[..., AbstractAsyncContextManager[tuple[str, str]]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(home: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNIX_RT_")}
    env.update(TUNIX_RT_HOME=str(home), TUNIX_RT_LOG_LEVEL="WARNING", **settings)
    return env


@pytest.fixture
def serve(tmp_path: Path) -> Serve:
    """``async with serve(**settings) as (base_url, first_line)``: a server on a free port, up."""

    @asynccontextmanager
    async def started(**settings: str) -> AsyncIterator[tuple[str, str]]:
        port = _free_port()
        argv = [SCRIPT, "serve", "--port", str(port), "--no-worker"]
        proc = await asyncio.create_subprocess_exec(
            *argv, env=_env(tmp_path, **settings), stderr=asyncio.subprocess.PIPE
        )
        assert proc.stderr is not None
        base = f"http://127.0.0.1:{port}"
        try:
            async with asyncio.timeout(60):
                first = (await proc.stderr.readline()).decode().strip()
                async with httpx.AsyncClient(base_url=base) as http:
                    while True:
                        if await _healthy(http):
                            break
                        await asyncio.sleep(0.1)
            yield base, first
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=30)

    return started


async def _healthy(http: httpx.AsyncClient) -> bool:
    try:
        return (await http.get("/api/health")).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"TUNIX_RT_AUTH": "off", "TUNIX_RT_HOST": "0.0.0.0"}, "TUNIX_RT_AUTH=off on 0.0.0.0"),
        (
            {"TUNIX_RT_AUTH": "off", "TUNIX_RT_ENVIRONMENT": "prod",
             "TUNIX_RT_DATABASE_URL": "sqlite:///prod.db"},
            "TUNIX_RT_AUTH=off is refused when environment=prod",
        ),
    ],
)  # fmt: skip
async def test_auth_off_is_refused_off_loopback_and_in_prod(
    tmp_path: Path, settings: dict[str, str], says: str
) -> None:
    argv = [SCRIPT, "serve", "--port", str(_free_port()), "--no-worker"]
    proc = await asyncio.create_subprocess_exec(
        *argv, env=_env(tmp_path, **settings), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 2
    [line] = err.decode().splitlines()
    assert line.startswith("error: "), line
    assert says in line, line
    assert out == b""


async def test_auth_off_on_loopback_serves_and_says_anyone_here_can_call_it(serve: Serve) -> None:
    async with serve(TUNIX_RT_AUTH="off") as (base, first):
        assert first.startswith("warning: TUNIX_RT_AUTH=off: anyone on this machine")
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/api/traces")).status_code == 200


async def test_first_start_prints_a_bootstrap_sign_in_link_once(serve: Serve) -> None:
    async with serve() as (base, first):
        match = re.fullmatch(r"Sign in at (http://127\.0\.0\.1:\d+)/#/signin\?token=(\S+)", first)
        assert match is not None, first
        assert match.group(1) == base
        token = match.group(2)
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/api/traces")).status_code == 401
            me = await http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert me.json()["name"] == "bootstrap"
            assert "admin" in me.json()["scopes"]
    async with serve() as (_base, first):
        assert "Sign in at" not in first
        assert "tunix-rt tokens create NAME --scope admin" in first
