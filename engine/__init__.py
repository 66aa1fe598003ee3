"""The search engine package: one contract, two backends.

``open_engine()`` picks the backend from the environment: Elasticsearch when
``ES_URL`` is set (alias ``ES_INDEX``, default ``summaries``), otherwise the
embedded tantivy index in a local folder. The indexer and the portal only
ever talk to the returned ``SearchEngine``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.contract import SearchEngine

DEFAULT_ES_ALIAS = "summaries"


def open_engine(index_dir: str | Path | None = None) -> SearchEngine:
    """The configured backend: Elasticsearch if ``ES_URL`` is set, else the folder ``index_dir``."""
    url = os.environ.get("ES_URL")
    if url:
        # Imported only when used: the embedded setup needs no Elasticsearch client.
        from engine.elastic import ElasticsearchEngine

        return ElasticsearchEngine(url=url, alias=os.environ.get("ES_INDEX", DEFAULT_ES_ALIAS))
    from engine.embedded import EmbeddedEngine

    return EmbeddedEngine(index_dir) if index_dir else EmbeddedEngine()


@contextmanager
def rebuilding(engine: SearchEngine) -> Iterator[SearchEngine]:
    """Write a complete fresh index inside the ``with`` block; swap it in only if the block succeeds.

    Until the block ends, searches keep using the live index. On an
    exception (or Ctrl-C) the fresh index is discarded and the old one keeps
    serving::

        with rebuilding(open_engine(index_dir)) as engine:
            for path, docs in parsed_sources:
                engine.replace_source(path, docs)
    """
    engine.begin_rebuild()
    try:
        yield engine
    except BaseException:
        engine.abort_rebuild()
        raise
    engine.finish_rebuild()
