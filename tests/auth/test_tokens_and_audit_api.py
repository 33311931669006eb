"""The admin API: tokens (create once-shown, list, revoke) and the audit log of a session's
writes with their token names."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tests.auth.conftest import MakeToken
from tests.factories import add_run
from tests.traces.factories import trace_doc

from tunix_rt.auth.tokens import Scope
from tunix_rt.runs.models import RunStatus


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_create_shows_the_token_once_and_lists_never_do(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/api/auth/tokens", json={"name": "ci-bot", "scopes": ["write"], "expires_in_days": 7}
    )
    assert created.status_code == 201, created.text
    record = created.json()
    token = record["token"]
    assert token.startswith(f"trt_{record['prefix']}_")
    assert record["scopes"] == ["write"]
    assert record["created_by"] == "test-admin"
    assert record["expires_at"] is not None
    assert record["state"] == "active"
    page = (await client.get("/api/auth/tokens")).json()
    assert set(page) == {"data", "pagination"}
    [listed] = [t for t in page["data"] if t["name"] == "ci-bot"]
    assert "token" not in listed
    assert "secret_hash" not in listed
    assert "salt" not in listed
    assert token not in str(page)
    me = await client.get("/api/auth/me", headers=bearer(token))
    assert me.json()["name"] == "ci-bot"


async def test_token_create_refuses_bad_input_by_field(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/auth/tokens", json={"name": "dup"})).status_code == 201
    again = await client.post("/api/auth/tokens", json={"name": "dup"})
    assert again.status_code == 409
    for body, field in (
        ({"name": "x", "scopes": ["root"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "has space"}, "name"),
        ({"name": "nul\u0000"}, "name"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
    ):
        response = await client.post("/api/auth/tokens", json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in response.text


async def test_revoke_by_id_and_unknown_id_is_404(client: httpx.AsyncClient) -> None:
    made = (await client.post("/api/auth/tokens", json={"name": "gone"})).json()
    revoked = await client.post(f"/api/auth/tokens/{made['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert revoked.json()["state"] == "revoked"
    again = await client.post(f"/api/auth/tokens/{made['id']}/revoke")
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    missing = await client.post(f"/api/auth/tokens/{uuid.uuid4()}/revoke")
    assert missing.status_code == 404


async def test_audit_lists_a_sessions_writes_with_their_token_names(
    client: httpx.AsyncClient, make_token: MakeToken, session: AsyncSession
) -> None:
    alice = await make_token("alice", Scope.WRITE)
    bob = await make_token("bob", Scope.WRITE)
    run = await add_run(session, status=RunStatus.QUEUED)
    trace = await client.post("/api/traces", json=trace_doc(1), headers=bearer(alice))
    trace_id = trace.json()["id"]
    assert (await client.get("/api/traces", headers=bearer(alice))).status_code == 200
    deleted = await client.delete(f"/api/traces/{trace_id}", headers=bearer(bob))
    assert deleted.status_code == 204
    cancel = await client.post(f"/api/tunix/runs/{run.id}/cancel", headers=bearer(bob))
    assert cancel.status_code == 200, cancel.text

    page = (await client.get("/api/audit")).json()
    assert set(page) == {"data", "pagination"}
    mine = [e for e in page["data"] if e["actor"] in {"alice", "bob"}]
    assert [(e["actor"], e["method"], e["action"], e["status"]) for e in mine] == [
        ("bob", "POST", "runs-cancel_run", 200),
        ("bob", "DELETE", "traces-delete_trace", 204),
        ("alice", "POST", "traces-create_trace", 201),
    ]
    cancelled = mine[0]
    assert cancelled["route"] == "/api/tunix/runs/{run_id}/cancel"
    assert cancelled["target"] == f"/api/tunix/runs/{run.id}/cancel"
    assert cancelled["params"] == {"run_id": str(run.id)}
    assert cancelled["token_id"] is not None

    by_bob = (await client.get("/api/audit", params={"actor": "bob"})).json()["data"]
    assert [e["action"] for e in by_bob] == ["runs-cancel_run", "traces-delete_trace"]
    creates = await client.get("/api/audit", params={"action": "traces-create_trace"})
    # Other tests' committed writes (live servers) may share the database: look at ours only.
    ours = [e["actor"] for e in creates.json()["data"] if e["actor"] in {"alice", "bob"}]
    assert ours == ["alice"]
    first = (await client.get("/api/audit", params={"actor": "bob", "limit": 1})).json()
    assert len(first["data"]) == 1
    assert first["pagination"]["next_offset"] == 1


async def test_operation_ids_in_the_audit_are_the_openapi_ones(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    await client.post("/api/auth/tokens", json={"name": "named"})
    [event] = (await client.get("/api/audit", params={"actor": "test-admin"})).json()["data"]
    assert event["action"] == document["paths"]["/api/auth/tokens"]["post"]["operationId"]


async def test_expires_in_days_takes_an_integer_not_a_boolean(client: httpx.AsyncClient) -> None:
    """Found by make fuzz: ``true`` was read as 1 day."""
    for bad in (True, "7", 1.5):
        body = {"name": "strict-expiry", "scopes": ["read"], "expires_in_days": bad}
        response = await client.post("/api/auth/tokens", json=body)
        assert response.status_code == 422, (bad, response.text)
        assert "expires_in_days" in response.text
    body = {"name": "strict-expiry", "scopes": ["read"], "expires_in_days": 7}
    assert (await client.post("/api/auth/tokens", json=body)).status_code == 201
