"""Every route declares its scope: a walk over the app's routes, the OpenAPI document, and a
request without a token to each one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tunix_rt.api.app import create_app
from tunix_rt.api.auth import Requires
from tunix_rt.auth.tokens import Scope
from tunix_rt.settings import Settings

# The only routes anyone may call without a token: the health check, and signing in and out
# (the sign-in verifies the token in its body; signing out only clears a cookie).
OPEN = {("GET", "/api/health"), ("POST", "/api/auth/session"), ("DELETE", "/api/auth/session")}
ADMIN = {"/api/auth/tokens", "/api/auth/tokens/{token_id}/revoke", "/api/audit"}


def _rules(dependant: Dependant) -> list[Requires]:
    found = [dependant.call] if isinstance(dependant.call, Requires) else []
    for sub in dependant.dependencies:
        found.extend(_rules(sub))
    return [rule for rule in found if isinstance(rule, Requires)]


@dataclass(frozen=True)
class Operation:
    """One method on one route, as the app serves it (its included path and dependencies)."""

    method: str
    path: str
    dependant: Dependant


def _operations(app: FastAPI) -> list[Operation]:
    """Every APIRoute of the app, through included routers (FastAPI >= 0.160 nests them)."""
    found = []
    for context in routing.iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue  # the UI's static mount
        dependant = context.dependant or context.original_route.dependant
        for method in sorted(set(context.methods or ()) - {"HEAD"}):
            found.append(Operation(method, str(context.path), dependant))
    return found


def test_every_route_but_health_and_sign_in_declares_a_scope(settings: Settings) -> None:
    app = create_app(settings, migrate_on_start=False, background=False)
    undeclared = set()
    for op in _operations(app):
        rules = _rules(op.dependant)
        if not rules:
            undeclared.add((op.method, op.path))
            continue
        needed = max((r.needed(op.method) for r in rules), key=list(Scope).index)
        if op.path in ADMIN:
            assert needed is Scope.ADMIN, op
        elif op.method == "GET":
            assert needed is Scope.READ, op
        else:
            assert needed is Scope.WRITE, op
    assert undeclared == OPEN
    assert len(_operations(app)) > 60  # the walk saw the whole API


def test_metrics_is_read_unless_metrics_public(settings: Settings) -> None:
    app = create_app(settings, migrate_on_start=False, background=False)
    [metrics] = [op for op in _operations(app) if op.path == "/metrics"]
    [rule] = _rules(metrics.dependant)
    assert rule.needed("GET") is Scope.READ
    assert rule.unless is not None
    assert rule.unless(settings) is False
    assert rule.unless(settings.model_copy(update={"metrics_public": True})) is True


def test_openapi_declares_the_bearer_scheme_on_every_protected_operation(
    settings: Settings,
) -> None:
    document: dict[str, Any] = create_app(settings, migrate_on_start=False).openapi()
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            declared = {name for req in operation.get("security", []) for name in req}
            if (method.upper(), path) in OPEN:
                assert not declared, (method, path)
            else:
                assert declared == {"BearerToken"}, (method, path)


@pytest.mark.parametrize("token", [None, "trt_notatokn_" + "x" * 43])
async def test_every_declared_route_answers_401_without_a_valid_token(
    anon: httpx.AsyncClient, settings: Settings, token: str | None
) -> None:
    app = create_app(settings, migrate_on_start=False, background=False)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for op in _operations(app):
        if (op.method, op.path) in OPEN:
            continue
        path = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", op.path)
        response = await anon.request(op.method, path, headers=headers)
        assert response.status_code == 401, (op, response.text)
