"""Deterministic zip files: sorted entries, fixed times and modes, written atomically.

The same entries always give the same bytes, so a package's sha256 is a function of its
content alone (no wall-clock, no file-system order, no owner or permission bits).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tunix_rt.errors import Conflict, InvalidInput

# The earliest time a zip can carry; any fixed value would do.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Entry:
    """One file of the archive: its name inside, and either bytes or a file to copy."""

    name: str
    data: bytes | None = None
    source: Path | None = None

    def size(self) -> int:
        """The entry's size in bytes."""
        if self.data is not None:
            return len(self.data)
        assert self.source is not None
        return self.source.stat().st_size

    def sha256(self) -> str:
        """sha256 of the entry's bytes."""
        digest = hashlib.sha256()
        if self.data is not None:
            digest.update(self.data)
        else:
            assert self.source is not None
            with self.source.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
        return digest.hexdigest()


def tree_entries(root: Path, prefix: str) -> list[Entry]:
    """Every regular file under ``root`` as an entry under ``prefix/`` (symlinks skipped)."""
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return [Entry(f"{prefix}/{p.relative_to(root).as_posix()}", source=p) for p in files]


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the mode below is read
    info.external_attr = 0o644 << 16
    return info


def _write(fh: zipfile.ZipFile, entry: Entry) -> None:
    info = _info(entry.name)
    info.file_size = entry.size()  # known up front, so a file over 2 GiB gets zip64 headers
    with fh.open(info, "w") as out:
        if entry.data is not None:
            out.write(entry.data)
            return
        assert entry.source is not None
        with entry.source.open("rb") as src:
            while chunk := src.read(_CHUNK):
                out.write(chunk)


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes."""
    return Entry(path.name, source=path).sha256()


def write_zip(entries: Sequence[Entry], out: Path, *, force: bool) -> tuple[str, int]:
    """Write ``entries`` (sorted by name) to ``out`` atomically; returns its sha256 and size."""
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise InvalidInput("package: two entries share a name")
    if out.exists() and not force:
        raise Conflict(f"out: {out} exists (pass --force to replace it)")
    if out.is_dir():
        raise InvalidInput(f"out: {out} is a directory")
    if not out.parent.is_dir():
        raise InvalidInput(f"out: directory {out.parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as fh:
            for entry in sorted(entries, key=lambda e: e.name):
                _write(fh, entry)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return file_sha256(out), out.stat().st_size
