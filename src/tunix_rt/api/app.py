"""``create_app()``: the FastAPI application, its lifespan, middleware and routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine

from tunix_rt import __version__
from tunix_rt.api.compat import SeedCompat
from tunix_rt.api.errors import install_error_handlers
from tunix_rt.api.guard import RequestGuard, declared_media, declared_query
from tunix_rt.api.inputs import InputChecks
from tunix_rt.api.middleware import BodySizeLimit, RequestMetrics
from tunix_rt.api.routes import (
    auth,
    datasets,
    evalsets,
    evaluation,
    evaluation_views,
    health,
    otlp,
    registry,
    regression,
    runs,
    traces,
    tuning,
    tunix_sft,
    ungar,
)
from tunix_rt.api.ui import mount_ui
from tunix_rt.auth.cache import VerifiedTokens
from tunix_rt.db import migrate
from tunix_rt.db.session import autocommit_engine, create_engine, create_sessionmaker
from tunix_rt.settings import Settings, get_settings

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _unique_id(route: APIRoute) -> str:
    """Operation ids like ``traces-list_traces`` so the generated TS client reads well."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    migrate_on_start: bool | None = None,
    background: bool = True,
) -> FastAPI:
    """Build the app. ``engine`` may be injected (tests); the embedded database migrates itself."""
    settings = settings or get_settings()
    engine = engine or create_engine(settings.resolved_database_url)
    should_migrate = settings.is_sqlite if migrate_on_start is None else migrate_on_start

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if should_migrate:
            await migrate.upgrade(engine)
        hooks = list(app.state.startup_hooks) if background else []
        stops = [await hook(app) for hook in hooks]
        try:
            yield
        finally:
            for stop in reversed(stops):
                if stop is not None:
                    await stop()
            await engine.dispose()

    app = FastAPI(
        title="Tunix RT",
        version=__version__,
        description="Reasoning traces, datasets, training, evaluation and model registry.",
        lifespan=lifespan,
        generate_unique_id_function=_unique_id,
        dependencies=[Depends(declared_media), Depends(declared_query)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    # GET and HEAD requests read outside a transaction (api/deps.py, get_session).
    app.state.verified_tokens = VerifiedTokens(settings.auth_cache_s)
    app.state.read_sessionmaker = create_sessionmaker(autocommit_engine(engine))
    # Domains that run background loops (workers) append async start hooks returning a stop fn.
    app.state.startup_hooks = []
    app.state.startup_hooks.append(runs.start_workers)
    install_error_handlers(app)
    # evaluation before runs: its /api/tunix/runs/compare must win over /runs/{run_id}.
    for module in (
        health, auth, traces, registry, evalsets, ungar, evaluation, evaluation_views, regression,
        runs, datasets, tuning, tunix_sft, otlp,
    ):  # fmt: skip
        app.include_router(module.router)
    # Outermost last: metrics see every request, the guard refuses before a body is read.
    # InputChecks (405s, NUL characters, JSON depth) sits inside the size limit, which bounds
    # what it buffers, and inside CORS, so its refusals carry CORS headers.
    app.add_middleware(InputChecks)
    if settings.seed_compat:  # the earlier API's shapes on its paths (docs/compat.md)
        app.add_middleware(SeedCompat)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RequestGuard, allowed_hosts=settings.allowed_hosts, cors_origins=settings.cors_origins
    )
    app.add_middleware(RequestMetrics)
    if (STATIC_DIR / "index.html").is_file():
        mount_ui(app, STATIC_DIR)  # gzip-compressed, deep links answered with index.html
    return app
