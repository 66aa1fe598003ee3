"""The server-side logout list: sessions of a user that started before a logout are over.

A session is a signed cookie; signing proves the server issued it, not
that it is still wanted. Logging out only clears the cookie in the browser
that logged out — a copy (another device, a stolen cookie) would live on for
its 8 hours. So each logout records, per user name, the time before which
that user's sessions no longer count, and portal.auth checks every session
against it: a logout ends every older session of that user, everywhere.

Kept in SQLite in the state folder, like the login throttle, so every
gunicorn worker sees a logout at once; without a state folder, in memory
(one process only, as with the throttle).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

from portal import statedb


class LogoutList:
    """Per user name: sessions that started at or before this time are revoked."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._memory: dict[str, float] = {}
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("CREATE TABLE IF NOT EXISTS logouts (name TEXT PRIMARY KEY, before REAL NOT NULL)")

    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        assert self._path is not None
        return statedb.connect(self._path)

    def revoke(self, name: str, before: float) -> None:
        """End every session of ``name`` that started at or before ``before`` (never moves back in time)."""
        if self._path is None:
            with self._lock:
                self._memory[name] = max(before, self._memory.get(name, 0.0))
            return
        with self._connect() as db:
            db.execute(
                "INSERT INTO logouts VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET before = max(before, excluded.before)",
                (name, before),
            )

    def revoked_before(self, name: str) -> float:
        """Sessions of ``name`` that started at or before this time are over (0: none revoked)."""
        if self._path is None:
            with self._lock:
                return self._memory.get(name, 0.0)
        with self._connect() as db:
            row = db.execute("SELECT before FROM logouts WHERE name = ?", (name,)).fetchone()
        return float(row[0]) if row else 0.0
