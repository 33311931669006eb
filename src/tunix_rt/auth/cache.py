"""Tokens verified a moment ago, so a request need not read its token's row again.

A server process keeps each verified token for ``auth_cache_s`` seconds (keyed by the token's
sha256, never the token itself). Expiry is checked on every use; a revocation through this
process's API clears the cache at once; one made elsewhere (the CLI, another server host) takes
effect within ``auth_cache_s``. ``auth_cache_s = 0`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import time

from tunix_rt.auth.service import Authenticated
from tunix_rt.db.base import utcnow

# More live tokens than this in one process is unusual; past it the oldest entry goes.
MAX_ENTRIES = 1024


class VerifiedTokens:
    """``token -> Authenticated`` for ``ttl_s`` seconds after the database said yes."""

    def __init__(self, ttl_s: float, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[float, Authenticated]] = {}

    def get(self, token: str) -> Authenticated | None:
        """The cached verification of ``token``, or None when absent, stale or expired."""
        key = _key(token)
        entry = self._entries.get(key)
        if entry is None:
            return None
        deadline, verified = entry
        expires = verified.expires_at
        if time.monotonic() >= deadline or (expires is not None and expires <= utcnow()):
            del self._entries[key]
            return None
        return verified

    def put(self, token: str, verified: Authenticated) -> None:
        if self.ttl_s <= 0:
            return
        if len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[_key(token)] = (time.monotonic() + self.ttl_s, verified)

    def clear(self) -> None:
        """Forget every token (after a revocation: the next use reads the database)."""
        self._entries.clear()


def _key(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
