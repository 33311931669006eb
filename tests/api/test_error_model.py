"""One error model: declared for every error status on every operation, and followed by every
error response (domain errors, FastAPI's validation, auth, routing's 404 and 405, the 413)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tunix_rt.api.app import create_app
from tunix_rt.api.errors import ERROR_STATUSES, ErrorBody, loc_parts
from tunix_rt.settings import Environment, Settings

MISSING = "00000000-0000-0000-0000-000000000000"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _openapi() -> dict[str, Any]:
    home = Path(tempfile.gettempdir()) / "tunix-rt-error-model"
    settings = Settings(environment=Environment.TEST, home=home, workers=0)
    schema: dict[str, Any] = create_app(settings, migrate_on_start=False).openapi()
    return schema


OPENAPI = _openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in OPENAPI["paths"].items()
    for method, operation in item.items()
    if method in METHODS
]


def _concrete(path: str) -> str:
    """A path template with every parameter filled (a UUID fits both id and name params)."""
    parts = [MISSING if part.startswith("{") else part for part in path.split("/")]
    return "/".join(parts)


def assert_error_model(response: httpx.Response) -> ErrorBody:
    """The body is exactly ``{detail: [{loc, msg, type}], message}``."""
    body = response.json()
    assert set(body) == {"detail", "message"}, body
    assert body["detail"]
    assert all(set(item) == {"loc", "msg", "type"} for item in body["detail"])
    return ErrorBody.model_validate(body)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_every_operation_declares_the_error_model(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    responses = operation["responses"]
    for status in ERROR_STATUSES:
        schema = responses[str(status)]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)


def test_fastapis_own_validation_schema_is_gone() -> None:
    schemas = OPENAPI["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorBody"]["required"]) == {"detail", "message"}
    assert set(schemas["ErrorItem"]["required"]) == {"loc", "msg", "type"}


@pytest.mark.parametrize(
    ("loc", "parts"),
    [
        ("", []),
        ("offset", ["offset"]),
        ("traces[3].steps", ["traces", 3, "steps"]),
        ("config.model_overrides.n_layer", ["config", "model_overrides", "n_layer"]),
        ("line 12", ["line 12"]),
        ("judges[0]", ["judges", 0]),
    ],
)
def test_domain_locations_become_paths(loc: str, parts: list[str | int]) -> None:
    assert loc_parts(loc) == parts


async def test_404_409_and_422_follow_the_model(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"/api/traces/{MISSING}")
    assert missing.status_code == 404
    assert MISSING in assert_error_model(missing).message
    assert (await client.post("/api/models", json={"name": "twice"})).status_code == 201
    twice = await client.post("/api/models", json={"name": "twice"})
    assert twice.status_code == 409
    assert assert_error_model(twice).detail[0].type == "conflict"
    invalid = await client.get("/api/traces", params={"limit": 0})
    assert invalid.status_code == 422
    assert assert_error_model(invalid).detail[0].loc == ["query", "limit"]
    domain = await client.get("/api/traces", params={"cursor": "nonsense"})
    assert domain.status_code == 422
    assert assert_error_model(domain).detail[0].loc == ["cursor"]


async def test_401_from_auth_follows_the_model_and_keeps_its_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/traces", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert assert_error_model(response).detail[0].type == "unauthorized"


async def test_413_follows_the_model(settings: Settings, engine: AsyncEngine) -> None:
    app = create_app(
        settings.model_copy(update={"max_body_bytes": 1000}),
        engine=engine,
        migrate_on_start=False,
        background=False,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post("/api/traces", content=b"x" * 5000)
    assert response.status_code == 413
    body = assert_error_model(response)
    assert body.detail[0].loc == ["body"]
    assert "1000" in body.message


@pytest.mark.parametrize("path", sorted(OPENAPI["paths"]))
async def test_options_is_405_with_every_method_of_the_path(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.options(_concrete(path))
    assert response.status_code == 405
    declared = {m.upper() for m in OPENAPI["paths"][path] if m in METHODS}
    assert set(response.headers["allow"].split(", ")) == declared
    assert assert_error_model(response).detail[0].type == "method_not_allowed"


async def test_a_method_a_literal_path_lacks_is_405_not_the_parameter_route(
    client: httpx.AsyncClient,
) -> None:
    # DELETE /api/traces/{trace_id} exists, but /api/traces/compare is its own resource.
    response = await client.delete("/api/traces/compare", params={"base": MISSING})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    unknown = await client.request("BREW", "/api/traces")
    assert unknown.status_code == 405
    assert unknown.headers["allow"] == "GET, POST"


async def test_an_api_path_naming_nothing_is_404_in_the_model(client: httpx.AsyncClient) -> None:
    for method in ("GET", "POST"):
        response = await client.request(method, f"/api/nothing-here/{uuid.uuid4()}")
        assert response.status_code == 404
        assert assert_error_model(response).detail[0].loc == ["path"]
