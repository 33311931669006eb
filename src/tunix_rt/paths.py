"""Paths a client may name: resolved, and confined to ``TUNIX_RT_HOME`` and the model roots.

The one check behind every request field that names a server path (a training config's
``model``, ``tokenizer``, ``data_path`` and ``eval_data_path``, in runs and sweeps alike). A
refusal says where paths may lie and nothing about what exists elsewhere: the same words for a
missing file, a directory and a file outside the roots. Symlinks are resolved first, so a link
under the home that leads outside is outside.
"""

from __future__ import annotations

import re
from pathlib import Path

from tunix_rt.errors import Problem
from tunix_rt.settings import Settings

OUTSIDE = "must be a path under TUNIX_RT_HOME or one of TUNIX_RT_MODEL_ROOTS"
# A Hugging Face hub id (``gpt2``, ``Qwen/Qwen2.5-0.5B``): read from the local cache only.
_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")


def looks_like_path(value: str) -> bool:
    """Whether a model reference names a file system path rather than a name or hub id."""
    if value.startswith(("/", "~", ".")) or "\\" in value or "\x00" in value:
        return True
    return not _HUB_ID.fullmatch(value) or ".." in value.split("/")


def confined(value: str, settings: Settings) -> Path | None:
    """``value`` resolved, or None when it lies outside the home and the model roots."""
    try:
        path = Path(value).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return None
    for root in settings.model_root_paths:
        if path == root or root in path.parents:
            return path
    return None


def file_problem(loc: str, value: str, settings: Settings) -> Problem | None:
    """A data file: inside the roots and an existing regular file."""
    path = confined(value, settings)
    if path is None:
        return Problem(loc, OUTSIDE)
    if not path.is_file():
        return Problem(loc, f"{value} is not a file under the allowed roots")
    return None


def reference_problem(
    loc: str, value: str, settings: Settings, *, names: set[str]
) -> Problem | None:
    """A model or tokenizer: one of ``names`` (presets, local tokenizers, ``registry://``
    URIs are the caller's), a hub id, or a directory inside the roots."""
    if value in names or not looks_like_path(value):
        return None
    path = confined(value, settings)
    if path is None:
        return Problem(loc, f"{OUTSIDE} (or a preset name or hub id)")
    if not path.exists():
        return Problem(loc, f"{value} does not exist under the allowed roots")
    return None
