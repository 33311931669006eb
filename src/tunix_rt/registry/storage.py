"""Content-addressed storage of model directories (pure filesystem, no database).

A model directory is identified by a sha256 over its files in sorted relative-path order:
for each file, the UTF-8 path, a NUL, the size as 8 big-endian bytes, then the bytes. The
same content always hashes the same on any machine, so it is stored once. Downloads are a
deterministic tar (sorted entries, zeroed owners and times), so the archive's own sha256
is a function of the content too, and can be recorded at promotion and checked by clients.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredObject:
    """A model directory in the store."""

    sha256: str
    path: Path
    size_bytes: int
    file_count: int
    archive_sha256: str


def _files(root: Path) -> list[Path]:
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def content_sha256(root: Path) -> tuple[str, int, int]:
    """(sha256, total bytes, file count) of a directory's content."""
    digest = hashlib.sha256()
    total = 0
    files = _files(root)
    for path in files:
        size = path.stat().st_size
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(size.to_bytes(8, "big"))
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        total += size
    return digest.hexdigest(), total, len(files)


def _tar_header(name: str, size: int, *, is_dir: bool = False) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = 0 if is_dir else size
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = 0o755 if is_dir else 0o644
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(format=tarfile.PAX_FORMAT)


def iter_archive(root: Path, prefix: str) -> Iterator[bytes]:
    """Stream a deterministic tar of ``root`` under ``prefix/`` in chunks."""
    yield _tar_header(prefix, 0, is_dir=True)
    for path in _files(root):
        size = path.stat().st_size
        yield _tar_header(f"{prefix}/{path.relative_to(root).as_posix()}", size)
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk
        if size % tarfile.BLOCKSIZE:
            yield b"\0" * (tarfile.BLOCKSIZE - size % tarfile.BLOCKSIZE)
    yield b"\0" * (tarfile.BLOCKSIZE * 2)


def archive_sha256(root: Path, prefix: str) -> str:
    """sha256 of the archive ``iter_archive`` streams, without writing it."""
    digest = hashlib.sha256()
    for chunk in iter_archive(root, prefix):
        digest.update(chunk)
    return digest.hexdigest()


def object_dir(store: Path, sha256: str) -> Path:
    """Where an object with this hash lives."""
    return store / "objects" / sha256[:2] / sha256


def put(store: Path, source: Path, *, prefix: str = "model") -> StoredObject:
    """Copy ``source`` into the store unless identical content is already there."""
    if not source.is_dir():
        raise FileNotFoundError(f"model directory {source} does not exist")
    sha, size, count = content_sha256(source)
    target = object_dir(store, sha)
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
        try:
            for path in _files(source):
                dest = staging / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
            os.replace(staging, target)  # atomic: a half-copied object is never visible
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not target.is_dir():
                raise
    return StoredObject(sha, target, size, count, archive_sha256(target, prefix))


def extract(archive: bytes, dest: Path) -> Path:
    """Unpack a downloaded archive (used by tests and the CLI); returns the top directory."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
        top = tar.getnames()[0].split("/")[0]
    return dest / top
