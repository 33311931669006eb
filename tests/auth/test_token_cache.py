"""The verified-token cache: a token's row is read once per ``auth_cache_s``, expiry still holds
at every use, a revocation through the API ends the token at once, one made elsewhere within
``auth_cache_s``."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.auth.conftest import MakeToken, OpenClient

from tunix_rt.auth.cache import VerifiedTokens
from tunix_rt.auth.models import ApiToken
from tunix_rt.auth.schemas import Principal
from tunix_rt.auth.service import Authenticated
from tunix_rt.auth.tokens import Scope
from tunix_rt.db.base import utcnow


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _token_reads(engine: AsyncEngine) -> list[str]:
    """Every statement that reads the api_tokens table from now on."""
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM api_tokens" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    return seen


async def test_a_token_is_read_once_while_cached(
    open_client: OpenClient, make_token: MakeToken, engine: AsyncEngine
) -> None:
    token = await make_token("cached", Scope.READ)
    reads = _token_reads(engine)
    async with open_client(auth_cache_s=60.0) as http:
        for _ in range(5):
            assert (await http.get("/api/traces", headers=bearer(token))).status_code == 200
    assert len(reads) == 1
    reads.clear()
    async with open_client(auth_cache_s=0.0) as http:  # off: every request reads the row
        for _ in range(3):
            assert (await http.get("/api/traces", headers=bearer(token))).status_code == 200
    assert len(reads) == 3


async def test_a_bad_token_is_never_cached(open_client: OpenClient, make_token: MakeToken) -> None:
    good = await make_token("good", Scope.READ)
    async with open_client(auth_cache_s=60.0) as http:
        for _ in range(2):
            response = await http.get("/api/traces", headers=bearer(good[:-1] + "x"))
            assert response.status_code == 401


async def test_revoking_through_the_api_ends_a_cached_token_at_once(
    open_client: OpenClient, make_token: MakeToken
) -> None:
    admin = await make_token("admin", Scope.ADMIN)
    victim = await make_token("victim", Scope.WRITE)
    async with open_client(auth_cache_s=60.0) as http:
        assert (await http.get("/api/traces", headers=bearer(victim))).status_code == 200
        listed = (await http.get("/api/auth/tokens", headers=bearer(admin))).json()["data"]
        [row] = [t for t in listed if t["name"] == "victim"]
        revoked = await http.post(f"/api/auth/tokens/{row['id']}/revoke", headers=bearer(admin))
        assert revoked.status_code == 200
        response = await http.get("/api/traces", headers=bearer(victim))
        assert response.status_code == 401
        assert response.json()["message"] == "token revoked"


async def test_a_revocation_made_elsewhere_holds_within_the_cache_time(
    open_client: OpenClient, make_token: MakeToken, session: AsyncSession
) -> None:
    """As the CLI revokes: the row changes under a running server, whose cache still says yes
    until the entry ages out after ``auth_cache_s``."""
    token = await make_token("revoked-by-cli", Scope.READ)
    async with open_client(auth_cache_s=1.0) as http:
        assert (await http.get("/api/traces", headers=bearer(token))).status_code == 200
        row = await session.scalar(select(ApiToken).where(ApiToken.name == "revoked-by-cli"))
        assert row is not None
        row.revoked_at = utcnow()
        await session.flush()
        assert (await http.get("/api/traces", headers=bearer(token))).status_code == 200
        await asyncio.sleep(1.1)
        assert (await http.get("/api/traces", headers=bearer(token))).status_code == 401


def test_expiry_is_checked_at_every_use_and_entries_age_out() -> None:
    cache = VerifiedTokens(ttl_s=60.0)
    principal = Principal(name="p", scopes=frozenset({Scope.READ}))
    cache.put("live", Authenticated(expires_at=None, principal=principal))
    cache.put(
        "gone", Authenticated(expires_at=utcnow() - timedelta(seconds=1), principal=principal)
    )
    assert cache.get("live") is not None
    assert cache.get("gone") is None
    stale = VerifiedTokens(ttl_s=1e-9)
    stale.put("t", Authenticated(expires_at=None, principal=principal))
    assert stale.get("t") is None
    off = VerifiedTokens(ttl_s=0.0)
    off.put("t", Authenticated(expires_at=None, principal=principal))
    assert off.get("t") is None
    small = VerifiedTokens(ttl_s=60.0, max_entries=2)
    for name in ("a", "b", "c"):
        small.put(name, Authenticated(expires_at=None, principal=principal))
    assert small.get("a") is None
    assert small.get("c") is not None
