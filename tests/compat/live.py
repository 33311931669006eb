"""A live app for the replay: its own database and home, seeded, with its lifespan running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.compat.seed import seed
from tests.conftest import own_database

from tunix_rt.api.app import create_app
from tunix_rt.jobs import HANDLERS
from tunix_rt.runs.worker import Worker, WorkerConfig
from tunix_rt.settings import LOOPBACK_HOSTS, Environment, Settings


@asynccontextmanager
async def live_client(settings: Settings, token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the app with its lifespan running, beside a worker that runs ``evaluate``
    jobs only: the earlier evaluate is synchronous, and a started sweep must stay queued
    (training a real model is not what this replay checks)."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app):
        worker = Worker(
            settings=settings,
            sessionmaker=app.state.sessionmaker,
            handlers={"evaluate": HANDLERS["evaluate"]},
            config=WorkerConfig(poll_max_s=0.2, shutdown_grace_s=5.0),
        )
        task = asyncio.create_task(worker.run())
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1", headers=headers, timeout=120
            ) as http:
                yield http
        finally:
            worker.request_stop(hand_back=True)
            await task


@dataclass
class Live:
    """A client on a live app, the seeded ids and the directory ingest may read."""

    http: httpx.AsyncClient
    ids: dict[str, str]
    ingest_dir: Path
    settings: Settings


@asynccontextmanager
async def live(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory, *, compat: bool
) -> AsyncIterator[Live]:
    """A fresh database and home, seeded, and the app serving them (workers: evaluate only)."""
    async with own_database(db_backend, tmp_path_factory) as url:
        home = tmp_path_factory.mktemp("home")
        settings = Settings(
            environment=Environment.TEST,
            home=home,
            database_url=url,
            workers=0,
            seed_compat=compat,
            allowed_hosts=LOOPBACK_HOSTS,
        )
        ingest_dir = home / "ingest"
        ids = await seed(settings, ingest_dir)
        async with live_client(settings, ids.pop("token")) as http:
            yield Live(http, ids, ingest_dir, settings)
