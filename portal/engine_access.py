"""One search engine per process, opened on first use.

Opening lazily matters for gunicorn: with ``preload_app = False`` each worker
imports the app and opens its own tantivy readers (or Elasticsearch client)
after the fork, and an index that is missing or being rebuilt does not stop
the portal from starting — the first request reports it instead.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

from engine import open_engine
from engine.contract import SearchEngine

_EXTENSION = "portal.engine"


class EngineHolder:
    """Holds the process's engine; opens it on first ``get()``."""

    def __init__(self, engine: SearchEngine | None, index_dir: str | None) -> None:
        self._given = engine
        self._index_dir = index_dir
        self._engine: SearchEngine | None = engine
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def get(self) -> SearchEngine:
        """The engine, opened now if this process has none yet."""
        if self._engine is not None and (self._given is not None or self._pid == os.getpid()):
            return self._engine
        with self._lock:
            # An engine opened before a fork is not ours to use: its file
            # handles and client connections belong to the parent.
            if self._engine is None or (self._given is None and self._pid != os.getpid()):
                self._engine = open_engine(self._index_dir)
                self._pid = os.getpid()
            return self._engine

    def close(self) -> None:
        """Close the engine this process opened (an injected one belongs to its owner)."""
        with self._lock:
            if self._engine is not None and self._given is None:
                self._engine.close()
            self._engine = self._given


def init_app(app: Flask) -> None:
    """Attach an engine holder configured from ENGINE / INDEX_DIR."""
    app.extensions[_EXTENSION] = EngineHolder(app.config.get("ENGINE"), app.config.get("INDEX_DIR"))


def get_engine() -> SearchEngine:
    """The current app's engine (opened lazily)."""
    holder: EngineHolder = current_app.extensions[_EXTENSION]
    return holder.get()
