"""A run's files: listed recursively from its directory, resolved safely for download."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from tunix_rt.errors import NotFound
from tunix_rt.runs.schemas import ArtifactPublic

# Files under these top-level folders belong to a checkpoint (recipe layout, interfaces.md §4).
CHECKPOINT_DIRS = ("checkpoints", "final")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(root: Path, path: Path) -> ArtifactPublic:
    stat = path.stat()
    name = path.relative_to(root).as_posix()
    return ArtifactPublic(
        name=name,
        size=stat.st_size,
        sha256=_sha256(path),
        checkpoint=PurePosixPath(name).parts[0] in CHECKPOINT_DIRS,
        modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
    )


def _list(root: Path) -> list[ArtifactPublic]:
    if not root.is_dir():
        return []
    root = root.resolve()
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and _inside(root, p.resolve())]
    return [_describe(root, p) for p in files]


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


async def list_artifacts(run_dir: Path) -> list[ArtifactPublic]:
    """Every regular file under ``run_dir`` (symlinks leading outside are skipped)."""
    return await asyncio.to_thread(_list, run_dir)


def resolve_artifact(run_dir: Path, name: str) -> Path:
    """The file ``name`` inside ``run_dir``; anything outside it, or missing, is NotFound."""
    root = run_dir.resolve()
    if not name or "\x00" in name or PurePosixPath(name).is_absolute():
        raise NotFound(f"artifact {name!r} not found")
    path = (root / name).resolve()
    if not _inside(root, path) or path == root or not path.is_file():
        raise NotFound(f"artifact {name!r} not found")
    return path
