"""Which training backends this installation has, read from package metadata (no imports).

Importing jax/torch in the API process would cost seconds and gigabytes; metadata is enough.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

from pydantic import BaseModel


class BackendStatus(BaseModel):
    """One training backend."""

    name: str
    available: bool
    version: str | None
    packages: dict[str, str | None]
    detail: str


class TunixStatus(BaseModel):
    """``GET /api/tunix/status``."""

    status: str
    backends: list[BackendStatus]
    job_kinds: list[str]


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _backend(
    name: str, module: str, dist: str, extras: tuple[str, ...], hint: str
) -> BackendStatus:
    packages = {d: _version(d) for d in (dist, *extras)}
    available = _importable(module) and packages[dist] is not None
    missing = [d for d, v in packages.items() if v is None]
    detail = "installed" if available and not missing else f"missing {', '.join(missing)}; {hint}"
    return BackendStatus(
        name=name,
        available=available and not missing,
        version=packages[dist],
        packages=packages,
        detail=detail,
    )


def backend_statuses() -> list[BackendStatus]:
    """The torch and tunix backends, with the versions of their key packages."""
    return [
        _backend("torch", "torch", "torch", ("transformers", "peft"), "pip install -e .[train]"),
        _backend(
            "tunix",
            "tunix",
            "google-tunix",
            ("jax", "flax", "qwix", "orbax-checkpoint"),
            "pip install -e .[tunix]",
        ),
    ]
