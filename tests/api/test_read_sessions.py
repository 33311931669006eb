"""GET and HEAD read outside a transaction: on SQLite a read never queues behind a writer."""

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from tests.conftest import own_database
from tests.traces.factories import trace_doc

from tunix_rt.api.app import create_app
from tunix_rt.auth import service as auth_service
from tunix_rt.auth.schemas import TokenCreate
from tunix_rt.auth.tokens import Scope
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.settings import LOOPBACK_HOSTS, Environment, Settings


async def test_a_read_is_not_blocked_by_an_open_write_transaction(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    async with own_database(db_backend, tmp_path_factory) as url:
        engine = create_engine(url)
        async with session_scope(create_sessionmaker(engine)) as db:
            body = TokenCreate(name="reader", scopes=[Scope.WRITE])
            token = (await auth_service.create_token(session=db, body=body, created_by="t")).token
        settings = Settings(
            environment=Environment.TEST, home=tmp_path, database_url=url, workers=0,
            allowed_hosts=("test", *LOOPBACK_HOSTS),
        )  # fmt: skip
        app = create_app(settings, engine=engine, migrate_on_start=False, background=False)
        headers = {"Authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers
        ) as client:
            created = await client.post("/api/traces", json=trace_doc(1))
            assert created.status_code == 201
            writer = create_engine(url)
            try:
                async with writer.connect() as conn:
                    # A write transaction left open (on SQLite: BEGIN IMMEDIATE holds the lock).
                    await conn.begin()
                    await conn.exec_driver_sql("UPDATE traces SET final_answer = 'x'")
                    started = time.monotonic()
                    listed = await asyncio.wait_for(client.get("/api/traces"), timeout=10)
                    one = await client.get(f"/api/traces/{created.json()['id']}")
                    elapsed = time.monotonic() - started
                    await conn.rollback()
            finally:
                await writer.dispose()
            assert listed.status_code == 200
            assert one.status_code == 200
            # The reads saw the last committed data, not the open transaction's.
            assert [t["final_answer"] for t in listed.json()["data"]] == ["3"]
            assert one.json()["final_answer"] == "3"
            assert elapsed < 5
        await engine.dispose()
