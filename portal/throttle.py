"""Login throttling: after too many failures, refuse further tries for a while.

Two counters, over a sliding window (default 15 minutes):

- per user name + client address: ``max_failures`` (default 5) — guessing one
  account's password;
- per client address alone: ``4 × max_failures`` — trying many names.

Failures are kept in a small SQLite file in the state folder, so every
gunicorn worker sees the same counts (a per-process counter would allow
5 × workers tries). Without a state folder they are kept in memory, per process.

A login calls ``reserve`` before checking the password: in one transaction
it checks the counts and records the try as a failure, which a successful
login clears (``reset``). Checking and counting apart would let 30
simultaneous tries all pass the check before any of them is counted.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from portal import statedb

#: Failures allowed from one address across all names, as a multiple of the per-name limit.
ADDRESS_FACTOR = 4


class LoginThrottle:
    """Counts failed logins by (name, address) and by address; answers how long to wait."""

    def __init__(
        self,
        path: Path | None,
        max_failures: int = 5,
        window_seconds: int = 900,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._path = path
        self._lock = threading.Lock()
        self._memory: list[tuple[str, str, float]] = []
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("CREATE TABLE IF NOT EXISTS failures (name TEXT, address TEXT, at REAL)")
                db.execute("CREATE INDEX IF NOT EXISTS failures_address ON failures (address, at)")

    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        assert self._path is not None
        return statedb.connect(self._path)

    @staticmethod
    def _key(name: str) -> str:
        return name.strip().casefold()[:128]

    def _times(self, name: str, address: str, since: float, locked: bool = False) -> tuple[list[float], list[float]]:
        """Failure times in the window: for this name + address, and for this address."""
        key = self._key(name)
        if self._path is None:
            with contextlib.nullcontext() if locked else self._lock:
                mine = [at for n, a, at in self._memory if a == address and at > since]
                named = [at for n, a, at in self._memory if n == key and a == address and at > since]
            return sorted(named), sorted(mine)
        with self._connect() as db:
            rows = db.execute("SELECT name, at FROM failures WHERE address = ? AND at > ?", (address, since)).fetchall()
        return sorted(at for n, at in rows if n == key), sorted(at for _, at in rows)

    def retry_after(self, name: str, address: str) -> int:
        """Seconds until the next try is allowed (0: allowed now)."""
        now = self._clock()
        named, by_address = self._times(name, address, now - self.window)
        return self._wait(named, by_address, now)

    def reserve(self, name: str, address: str) -> int:
        """Check and count one try at once: 0 and the try counted as a failure, or the seconds to wait.

        The caller clears the count with ``reset`` when the password was right.
        """
        now, key = self._clock(), self._key(name)
        if self._path is None:
            with self._lock:
                named, by_address = self._times(name, address, now - self.window, locked=True)
                wait = self._wait(named, by_address, now)
                if not wait:
                    self._memory = [r for r in self._memory if r[2] > now - self.window]
                    self._memory.append((key, address, now))
                return wait
        with self._connect() as db:
            # BEGIN IMMEDIATE takes the write lock before reading: no other worker can count in between.
            db.execute("BEGIN IMMEDIATE")
            try:
                rows = db.execute(
                    "SELECT name, at FROM failures WHERE address = ? AND at > ?", (address, now - self.window)
                ).fetchall()
                wait = self._wait(sorted(at for n, at in rows if n == key), sorted(at for _, at in rows), now)
                if not wait:
                    db.execute("DELETE FROM failures WHERE at <= ?", (now - self.window,))
                    db.execute("INSERT INTO failures VALUES (?, ?, ?)", (key, address, now))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return wait

    def _wait(self, named: list[float], by_address: list[float], now: float) -> int:
        """Seconds to wait, given the sorted failure times in the window."""
        waits = [0.0]
        for times, limit in ((named, self.max_failures), (by_address, self.max_failures * ADDRESS_FACTOR)):
            if len(times) >= limit:
                # Allowed again once enough of the oldest failures have left the window.
                waits.append(times[len(times) - limit] + self.window - now)
        return max(0, int(max(waits) + 0.999))

    def record_failure(self, name: str, address: str) -> None:
        """Count one failed try (and forget failures older than the window)."""
        now = self._clock()
        if self._path is None:
            with self._lock:
                self._memory = [r for r in self._memory if r[2] > now - self.window]
                self._memory.append((self._key(name), address, now))
            return
        with self._connect() as db:
            db.execute("DELETE FROM failures WHERE at <= ?", (now - self.window,))
            db.execute("INSERT INTO failures VALUES (?, ?, ?)", (self._key(name), address, now))

    def reset(self, name: str, address: str) -> None:
        """A successful login clears that name's failures from that address."""
        key = self._key(name)
        if self._path is None:
            with self._lock:
                self._memory = [r for r in self._memory if not (r[0] == key and r[1] == address)]
            return
        with self._connect() as db:
            db.execute("DELETE FROM failures WHERE name = ? AND address = ?", (key, address))
