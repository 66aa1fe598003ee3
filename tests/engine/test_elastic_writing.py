"""The Elasticsearch loader: batched rebuild writes, rebuild-time index settings, refused paragraphs.

Pure parts (the NDJSON lines, the settings) need no server; the rest runs
on the session's node (tests/support/es_fixture.py) and is skipped without one.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from engine import rebuilding
from engine.contract import IndexDocument, SearchRequest
from engine.documents import index_fields
from engine.elastic.indices import REBUILD_SETTINGS, settled_settings, template_body
from engine.elastic.writing import Batch, DocumentsRejected, bulk_line


def _doc(source: str, n: int, text: str = "全体教职工参加职代会", **extra: Any) -> IndexDocument:
    return IndexDocument(
        paragraph_id=f"{source}-{n:04d}",
        article_id=source,
        position=n,
        text=text,
        title=source,
        source_path=source,
        source_sha256=f"sha-{source}",
        quality=0.8,
        **extra,
    )


# -- pure -------------------------------------------------------------------------


def test_bulk_line_is_an_index_action_and_the_utf8_source() -> None:
    fields = index_fields(_doc("a", 1, "全体教职工，２０２３年"))
    line = bulk_line(fields)
    action, source, end = line.split(b"\n")
    assert end == b""
    assert json.loads(action) == {"index": {"_id": "a-0001"}}
    assert json.loads(source) == fields
    # Chinese text travels as UTF-8 (3 bytes a character), not as \uXXXX escapes (6 bytes).
    assert "全体教职工".encode() in source and b"\\u" not in source


def test_batch_remembers_ids_sources_and_size() -> None:
    batch = Batch("idx")
    batch.add("a", [index_fields(_doc("a", 0)), index_fields(_doc("a", 1))])
    batch.add("b", [index_fields(_doc("b", 0))])
    assert batch.ids == ["a-0000", "a-0001", "b-0000"]
    assert batch.sources == ["a", "a", "b"]
    assert batch.size == sum(len(line) for line in batch.lines)


def test_rebuild_settings_and_what_the_swap_restores() -> None:
    assert REBUILD_SETTINGS == {"index": {"number_of_replicas": 0, "auto_expand_replicas": "false"}}
    # The template expands replicas automatically: that comes back.
    assert settled_settings(template_body("summaries")) == {"index": {"auto_expand_replicas": "0-2"}}
    fixed = {"template": {"settings": {"index": {"number_of_replicas": 2}}}}
    assert settled_settings(fixed) == {"index": {"auto_expand_replicas": "false", "number_of_replicas": 2}}


# -- on a node --------------------------------------------------------------------


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> Iterator[Any]:
    """An ElasticsearchEngine on a fresh alias of the session's node, dropped afterwards."""
    from engine.elastic import ElasticsearchEngine

    url = request.getfixturevalue("elasticsearch_url")
    opened = ElasticsearchEngine(url=url, alias=f"tw{uuid.uuid4().hex[:12]}")
    yield opened
    opened.drop()
    opened.close()


def _ids(engine: Any, source: str) -> list[str]:
    found = engine.search(SearchRequest(query="职代会", page_size=50, collapse=False))
    return sorted(h.paragraph_id for h in found.hits if h.source_path == source)


def test_a_rebuild_sends_files_in_batches_and_swaps_them_in(engine: Any) -> None:
    engine.replace_source("old", [_doc("old", 0)])
    engine.commit()
    with rebuilding(engine) as writing:
        for source in ("a", "b", "c"):
            writing.replace_source(source, [_doc(source, n) for n in range(3)])
        assert engine.search(SearchRequest(query="职代会")).total == 1  # still the live index
        settings = engine.client.indices.get_settings(index=engine._indices.rebuilding)
        (index,) = settings.body.values()
        assert index["settings"]["index"]["number_of_replicas"] == "0"
    assert engine.search(SearchRequest(query="职代会", collapse=False)).total == 9
    assert engine.sources() == {"a": "sha-a", "b": "sha-b", "c": "sha-c"}
    (index,) = engine.client.indices.get_settings(index=engine.alias).body.values()
    assert index["settings"]["index"]["auto_expand_replicas"] == "0-2"


def test_a_file_replaced_twice_in_a_rebuild_keeps_only_its_last_paragraphs(engine: Any) -> None:
    with rebuilding(engine) as writing:
        writing.replace_source("a", [_doc("a", n) for n in range(4)])
        writing.replace_source("b", [_doc("b", 0)])
        writing.replace_source("a", [_doc("a", 0), _doc("a", 7)])
        writing.delete_source("b")
        writing.delete_source("never-written")
    assert _ids(engine, "a") == ["a-0000", "a-0007"]
    assert _ids(engine, "b") == []
    assert engine.sources() == {"a": "sha-a"}


def test_a_refused_paragraph_aborts_the_rebuild_and_the_live_index_stays(engine: Any) -> None:
    engine.replace_source("old", [_doc("old", 0)])
    engine.commit()
    broken = dataclasses.replace(_doc("bad", 1), year="not a year")  # type: ignore[arg-type]
    with pytest.raises(DocumentsRejected) as refused, rebuilding(engine) as writing:
        writing.replace_source("good", [_doc("good", 0)])
        writing.replace_source("bad", [_doc("bad", 0), broken])
    assert refused.value.source_path == "bad"
    assert [pid for pid, _ in refused.value.rejected] == ["bad-0001"]
    assert engine.sources() == {"old": "sha-old"}
    assert engine._indices.rebuilding is None


def test_a_refused_paragraph_in_the_live_index_removes_its_whole_file(engine: Any) -> None:
    engine.replace_source("bad", [_doc("bad", 0)])
    engine.commit()
    broken = dataclasses.replace(_doc("bad", 1), year="not a year")  # type: ignore[arg-type]
    with pytest.raises(DocumentsRejected):
        engine.replace_source("bad", [_doc("bad", 0), broken])
    engine.commit()
    assert engine.sources() == {}
