"""LISTEN/NOTIFY on a dedicated asyncpg connection, so idle workers wake without polling."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

from tunix_rt.runs.queue import CANCEL_CHANNEL, JOBS_CHANNEL
from tunix_rt.settings import Settings

log = logging.getLogger(__name__)

Callback = Callable[[str, str], None]


def asyncpg_dsn(url: str) -> str:
    """A plain ``postgresql://`` DSN for asyncpg from the SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """Forwards notifications on the queue's channels to ``callback(channel, payload)``."""

    def __init__(self, connection: Any, callback: Callback) -> None:
        self._conn = connection
        self._callback = callback

    @classmethod
    async def start(cls, settings: Settings, callback: Callback) -> Listener | None:
        """Listen on PostgreSQL; None on SQLite (workers poll with back-off there)."""
        if settings.is_sqlite:
            return None
        import asyncpg

        conn = await asyncpg.connect(asyncpg_dsn(settings.resolved_database_url))
        listener = cls(conn, callback)
        for channel in (JOBS_CHANNEL, CANCEL_CHANNEL):
            await conn.add_listener(channel, listener._on_notification)
        return listener

    def _on_notification(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        self._callback(channel, payload)

    async def close(self) -> None:
        """Stop listening and close the connection."""
        try:
            await self._conn.close(timeout=5)
        except Exception:  # already broken: nothing left to release
            log.debug("listener connection was already closed", exc_info=True)
