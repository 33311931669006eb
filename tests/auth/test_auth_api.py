"""Bearer tokens and the session cookie: 401 without or with a bad token, 403 for a missing
scope, revocation and expiry, the cookie's CSRF check, and ``/api/auth/me``."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.auth.conftest import MakeToken, OpenClient
from tests.traces.factories import trace_doc

from tunix_rt.api.auth import SESSION_COOKIE
from tunix_rt.auth.models import ApiToken
from tunix_rt.auth.tokens import Scope
from tunix_rt.db.base import utcnow
from tunix_rt.settings import AuthMode


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _says(response: httpx.Response) -> str:
    """The error's one-line message."""
    body = response.json()
    return str(body["message"] if "message" in body else body["detail"])


def _is_401(response: httpx.Response) -> bool:
    return response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


async def test_no_token_is_401_with_a_bearer_challenge(anon: httpx.AsyncClient) -> None:
    assert _is_401(await anon.get("/api/traces"))
    assert _is_401(await anon.post("/api/traces", json=trace_doc(1)))
    assert _is_401(await anon.get("/api/auth/me"))
    assert _says(await anon.get("/api/traces")).startswith("missing token")


async def test_bad_tokens_are_401(anon: httpx.AsyncClient, make_token: MakeToken) -> None:
    good = await make_token("good", Scope.WRITE)
    wrong_secret = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    unknown_prefix = "trt_zzzzzzzz_" + good.split("_", 2)[2][-40:].rjust(40, "x")
    for token in ("nonsense", wrong_secret, unknown_prefix, good + "x"):
        response = await anon.get("/api/traces", headers=bearer(token))
        assert _is_401(response), (token, response.text)
    assert (await anon.get("/api/traces", headers=bearer(good))).status_code == 200


async def test_read_token_on_a_write_is_403_naming_the_scope(
    anon: httpx.AsyncClient, make_token: MakeToken
) -> None:
    reader = await make_token("reader", Scope.READ)
    assert (await anon.get("/api/traces", headers=bearer(reader))).status_code == 200
    response = await anon.post("/api/traces", json=trace_doc(1), headers=bearer(reader))
    assert response.status_code == 403
    assert "'write'" in _says(response)
    cancel = await anon.post(
        "/api/tunix/runs/00000000-0000-0000-0000-000000000000/cancel", headers=bearer(reader)
    )
    assert cancel.status_code == 403


async def test_write_token_cannot_use_admin_routes(
    anon: httpx.AsyncClient, make_token: MakeToken
) -> None:
    writer = await make_token("writer", Scope.WRITE)
    created = await anon.post("/api/traces", json=trace_doc(2), headers=bearer(writer))
    assert created.status_code == 201
    for method, path in (("GET", "/api/auth/tokens"), ("GET", "/api/audit")):
        response = await anon.request(method, path, headers=bearer(writer))
        assert response.status_code == 403
        assert "'admin'" in _says(response)
    body = {"name": "escalate", "scopes": ["admin"]}
    response = await anon.post("/api/auth/tokens", json=body, headers=bearer(writer))
    assert response.status_code == 403


async def test_revoked_token_is_401(anon: httpx.AsyncClient, make_token: MakeToken) -> None:
    admin = await make_token("admin", Scope.ADMIN)
    victim = await make_token("victim", Scope.WRITE)
    assert (await anon.get("/api/traces", headers=bearer(victim))).status_code == 200
    listed = (await anon.get("/api/auth/tokens", headers=bearer(admin))).json()["data"]
    [row] = [t for t in listed if t["name"] == "victim"]
    revoked = await anon.post(f"/api/auth/tokens/{row['id']}/revoke", headers=bearer(admin))
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    response = await anon.get("/api/traces", headers=bearer(victim))
    assert _is_401(response)
    assert _says(response) == "token revoked"


async def test_expired_token_is_401(
    anon: httpx.AsyncClient, make_token: MakeToken, session: AsyncSession
) -> None:
    token = await make_token("short-lived", Scope.READ, expires_in_days=1)
    assert (await anon.get("/api/traces", headers=bearer(token))).status_code == 200
    row = await session.scalar(select(ApiToken).where(ApiToken.name == "short-lived"))
    assert row is not None
    assert row.expires_at is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    response = await anon.get("/api/traces", headers=bearer(token))
    assert _is_401(response)
    assert _says(response) == "token expired"


async def test_last_used_is_recorded_at_most_once_a_minute(
    anon: httpx.AsyncClient, make_token: MakeToken, session: AsyncSession
) -> None:
    token = await make_token("counted", Scope.READ)
    row = await session.scalar(select(ApiToken).where(ApiToken.name == "counted"))
    assert row is not None
    assert row.last_used_at is None
    await anon.get("/api/traces", headers=bearer(token))
    first = row.last_used_at
    assert first is not None
    await anon.get("/api/traces", headers=bearer(token))
    assert row.last_used_at == first
    row.last_used_at = first - timedelta(minutes=2)
    await anon.get("/api/traces", headers=bearer(token))
    assert row.last_used_at > first


async def test_me_names_the_token_and_everything_its_scopes_include(
    anon: httpx.AsyncClient, make_token: MakeToken
) -> None:
    writer = await make_token("me-writer", Scope.WRITE)
    me = (await anon.get("/api/auth/me", headers=bearer(writer))).json()
    assert me["name"] == "me-writer"
    assert me["scopes"] == ["read", "write"]
    assert me["auth"] == "required"
    assert me["token_id"]


async def test_auth_off_is_anonymous_with_every_scope_and_writes_are_audited(
    open_client: OpenClient, make_token: MakeToken
) -> None:
    admin = await make_token("auditor", Scope.ADMIN)
    async with open_client(auth=AuthMode.OFF) as http:
        me = (await http.get("/api/auth/me")).json()
        assert me == {
            "name": "anonymous",
            "scopes": ["read", "write", "admin"],
            "auth": "off",
            "token_id": None,
        }
        assert (await http.post("/api/traces", json=trace_doc(3))).status_code == 201
    async with open_client() as http:
        events = await http.get("/api/audit", params={"actor": "anonymous"}, headers=bearer(admin))
    [event] = events.json()["data"]
    assert event["action"] == "traces-create_trace"
    assert event["token_id"] is None


async def test_cookie_session_signs_in_and_out(
    anon: httpx.AsyncClient, make_token: MakeToken
) -> None:
    writer = await make_token("browser", Scope.WRITE)
    bad = await anon.post("/api/auth/session", json={"token": writer + "x"})
    assert _is_401(bad)
    assert SESSION_COOKIE not in anon.cookies
    signed_in = await anon.post("/api/auth/session", json={"token": writer})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["name"] == "browser"
    cookie = signed_in.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert attribute.lower() in cookie.lower(), cookie
    assert (await anon.get("/api/auth/me")).json()["name"] == "browser"
    assert (await anon.post("/api/traces", json=trace_doc(4))).status_code == 201
    own_origin = {"Origin": "http://test"}
    created = await anon.post("/api/traces", json=trace_doc(5), headers=own_origin)
    assert created.status_code == 201
    assert (await anon.delete("/api/auth/session")).status_code == 204
    assert SESSION_COOKIE not in anon.cookies
    assert _is_401(await anon.get("/api/auth/me"))


async def test_cookie_write_from_another_origin_is_403(
    open_client: OpenClient, make_token: MakeToken
) -> None:
    writer = await make_token("browser-csrf", Scope.WRITE)
    evil = {"Origin": "http://evil.example"}
    # The request guard already refuses it; the auth dependency refuses it too, even when
    # that origin is allowed for CORS (bearer-token clients), because a cookie rode along.
    for cors in ((), ("http://evil.example",)):
        async with open_client(cors_origins=cors) as http:
            await http.post("/api/auth/session", json={"token": writer})
            response = await http.post("/api/traces", json=trace_doc(6), headers=evil)
            assert response.status_code == 403, response.text
            with_bearer = await http.post(
                "/api/traces", json=trace_doc(7), headers={**evil, **bearer(writer)}
            )
            assert with_bearer.status_code == (403 if not cors else 201), with_bearer.text


async def test_health_is_open_and_metrics_needs_read_unless_public(
    open_client: OpenClient, make_token: MakeToken
) -> None:
    reader = await make_token("scraper", Scope.READ)
    async with open_client() as http:
        assert (await http.get("/api/health")).status_code == 200
        assert _is_401(await http.get("/metrics"))
        assert (await http.get("/metrics", headers=bearer(reader))).status_code == 200
    async with open_client(metrics_public=True) as http:
        assert (await http.get("/metrics")).status_code == 200
