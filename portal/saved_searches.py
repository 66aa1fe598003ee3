"""Saved searches of logged-in users, kept on the server (one list per account).

Without a login, saved searches live in the browser (static/js/saved.js,
localStorage); with one, in the state folder, so the same list follows the
user to any browser. Each entry is a name, the search's query string
(normalised: no ``page``, parameters in order) and the number of paragraphs
the search found when it was last opened. "New since last opened" is the
growth of that number, as in the per-browser list: the index keeps no
ingest time per paragraph, and a search's total only grows when paragraphs
matching it are added.

Kept in SQLite in the state folder (``saved_searches.sqlite3``), so every
gunicorn worker sees the same list; without a state folder, in memory (one
process only, lost on restart), as the logout list and the login throttle do.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from engine.request import InvalidParameter, build_request
from portal import statedb

MAX_NAME_LENGTH = 60
#: A saved query string; a search page's own URL stays far below it (the query itself is at most 200 characters).
MAX_SEARCH_LENGTH = 2000
MAX_PER_USER = 100
#: Parameters that say which page of a search is shown, not what is searched.
_NOT_THE_SEARCH = frozenset({"page"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    total INTEGER NOT NULL,
    saved_at REAL NOT NULL,
    opened_at REAL NOT NULL,
    UNIQUE (user, search)
)
"""


class SavedSearchError(ValueError):
    """Input that cannot be saved; the message says why, in Chinese, for the user."""


@dataclass(frozen=True)
class SavedSearch:
    """One saved search of one account."""

    id: int
    name: str
    search: str  # the normalised query string, without "?"
    total: int  # paragraphs the search found when it was last opened (or saved)
    saved_at: float
    opened_at: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the API (without the user, who is always the caller)."""
        return asdict(self)


def clean_name(raw: object) -> str:
    """A saved search's name, trimmed; SavedSearchError when it is missing, too long or has control characters."""
    if not isinstance(raw, str):
        raise SavedSearchError("请给检索起个名字（name 应为文字）。")
    name = " ".join(raw.split())
    if not name:
        raise SavedSearchError("检索的名字不能为空。")
    if len(name) > MAX_NAME_LENGTH:
        raise SavedSearchError(f"检索的名字太长：最多 {MAX_NAME_LENGTH} 个字，收到 {len(name)} 个。")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise SavedSearchError("检索的名字含有不可见的控制字符。")
    return name


def normal_search(raw: object) -> str:
    """The query string of a search as saved: checked like a search, without ``page``, in parameter order.

    Raises SavedSearchError with the reason when it is not a search the
    portal would run (unknown parameter, overlong query, bad year …).
    """
    if not isinstance(raw, str):
        raise SavedSearchError("缺少要保存的检索条件（search 应为检索页网址中 ? 后面的部分）。")
    text = raw.strip().removeprefix("?")
    if len(text) > MAX_SEARCH_LENGTH:
        raise SavedSearchError(f"检索条件太长：最多 {MAX_SEARCH_LENGTH} 个字符，收到 {len(text)} 个。")
    pairs = [(k, v) for k, v in parse_qsl(text, keep_blank_values=False) if k not in _NOT_THE_SEARCH]
    if not pairs:
        raise SavedSearchError("检索条件为空：请先输入检索词或选择筛选条件，再保存。")
    try:
        build_request(search_params(pairs), strict=True)
    except InvalidParameter as exc:
        raise SavedSearchError(f"这不是有效的检索：{exc}") from exc
    # Stable sort: repeated values of one facet keep their order, as URLSearchParams.sort() does in saved.js.
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


def search_params(pairs: list[tuple[str, str]] | str) -> dict[str, list[str]]:
    """A query string (or its pairs) in the shape ``engine.request.build_request`` reads."""
    if isinstance(pairs, str):
        pairs = parse_qsl(pairs, keep_blank_values=False)
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def _row(row: tuple[Any, ...]) -> SavedSearch:
    return SavedSearch(int(row[0]), str(row[1]), str(row[2]), int(row[3]), float(row[4]), float(row[5]))


_COLUMNS = "id, name, search, total, saved_at, opened_at"


class SavedSearchStore:
    """Every account's saved searches, in SQLite (a file in the state folder, or memory)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        if path is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            with self._lock:  # one shared connection: one user of it at a time
                yield self._memory
            return
        assert self._path is not None
        with statedb.connect(self._path) as db:
            yield db

    def items(self, user: str) -> list[SavedSearch]:
        """``user``'s saved searches, the most recently saved first."""
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM saved_searches WHERE user = ? ORDER BY saved_at DESC, id DESC", (user,)
            ).fetchall()
        return [_row(row) for row in rows]

    def get(self, user: str, item_id: int) -> SavedSearch | None:
        """One of ``user``'s saved searches (None when it is not theirs or does not exist)."""
        with self._connect() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM saved_searches WHERE user = ? AND id = ?", (user, item_id)
            ).fetchone()
        return _row(row) if row else None

    def save(self, user: str, name: str, search: str, total: int, *, keep_existing: bool = False) -> SavedSearch:
        """Save ``search`` under ``name`` for ``user``, its total counted as seen now.

        The same search saved again is renamed and counted as opened (one
        entry per search), or left as it is with ``keep_existing`` (merging a
        browser's list must not overwrite the account's). Raises
        SavedSearchError when the account already holds MAX_PER_USER searches.
        """
        now = time.time()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # the limit check and the insert as one step
            try:
                exists = db.execute(
                    "SELECT 1 FROM saved_searches WHERE user = ? AND search = ?", (user, search)
                ).fetchone()
                if exists is None:
                    (count,) = db.execute("SELECT count(*) FROM saved_searches WHERE user = ?", (user,)).fetchone()
                    if count >= MAX_PER_USER:
                        raise SavedSearchError(f"最多保存 {MAX_PER_USER} 个检索：请先删除不再需要的。")
                    db.execute(
                        "INSERT INTO saved_searches (user, name, search, total, saved_at, opened_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (user, name, search, total, now, now),
                    )
                elif not keep_existing:
                    db.execute(
                        "UPDATE saved_searches SET name = ?, total = ?, saved_at = ?, opened_at = ?"
                        " WHERE user = ? AND search = ?",
                        (name, total, now, now, user, search),
                    )
                row = db.execute(
                    f"SELECT {_COLUMNS} FROM saved_searches WHERE user = ? AND search = ?", (user, search)
                ).fetchone()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return _row(row)

    def delete(self, user: str, item_id: int) -> bool:
        """Delete one of ``user``'s saved searches; False when there was no such search of theirs."""
        with self._connect() as db:
            cursor = db.execute("DELETE FROM saved_searches WHERE user = ? AND id = ?", (user, item_id))
        return cursor.rowcount > 0

    def opened(self, user: str, item_id: int, total: int) -> SavedSearch | None:
        """Record that ``user`` opened the search and saw ``total`` paragraphs; the entry as it was before."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    f"SELECT {_COLUMNS} FROM saved_searches WHERE user = ? AND id = ?", (user, item_id)
                ).fetchone()
                if row is not None:
                    db.execute(
                        "UPDATE saved_searches SET total = ?, opened_at = ? WHERE id = ?", (total, time.time(), item_id)
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return _row(row) if row else None
