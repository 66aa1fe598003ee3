"""The embedded index keeps what searches read and no more (issue 17: index size).

What a hit shows must come back exactly from the compact stored form, and
the field options that save bytes must be the ones tantivy actually wrote.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import tantivy

from engine import documents
from engine.embedded import EmbeddedEngine
from engine.embedded import schema as embedded_schema
from engine.embedded.generations import TopicBits
from tests.engine.conftest import load
from tests.engine.documents import CORPUS

#: Topic bits for documents converted without an index (never saved: the folder does not exist).
_topic_mask = TopicBits(Path("no-such-generation")).mask


def _index_schema(index_dir: Path) -> dict[str, dict]:
    """The field options tantivy recorded in the live generation's meta.json."""
    live = (index_dir / "CURRENT").read_text().strip()
    meta = json.loads((index_dir / live / "meta.json").read_text())
    return {entry["name"]: entry for entry in meta["schema"]}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index")
    engine = EmbeddedEngine(path)
    load(engine, CORPUS)
    engine.close()
    return path


def test_stored_keys_are_the_stored_fields() -> None:
    for doc in CORPUS:
        assert sorted(documents.stored_fields(doc)) == sorted(documents.STORED_KEYS)


def _shown(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k not in documents.ANALYSED_FIELDS}


def test_a_paragraph_holding_its_article_values_gives_its_stored_fields_back() -> None:
    for fields in documents.settle_headings(CORPUS):
        fields.article_head = None
        back, head = embedded_schema.decode_document(embedded_schema.to_tantivy(fields, _topic_mask))
        assert head is None and back == _shown(fields)


def test_later_paragraphs_of_an_article_point_at_its_first() -> None:
    fields = documents.settle_headings(CORPUS)
    linked = [f for f in fields if f.article_head is not None]
    assert linked, "the corpus has articles of several paragraphs"
    for i, f in enumerate(fields):
        if f.article_head is None:
            continue
        head = fields[i - f.article_head]
        assert head["article_id"] == f["article_id"] and head.article_head is None
        assert all(head[key] == f[key] for key in documents.ARTICLE_KEYS)
        back, where = embedded_schema.decode_document(embedded_schema.to_tantivy(f, _topic_mask))
        assert where == f.article_head
        assert back == {k: v for k, v in _shown(f).items() if k not in documents.ARTICLE_KEYS}


def test_an_article_whose_paragraphs_differ_in_article_values_holds_them_in_each() -> None:
    first, second, third = (replace(doc, article_id="one") for doc in CORPUS[:3])
    fields = documents.settle_headings([first, replace(second, title="另一个标题"), third])
    assert [f.article_head for f in fields] == [None, None, None]


def test_a_paragraph_without_a_duplicate_group_is_its_own_key() -> None:
    fields = documents.settle_headings(CORPUS[:1])[0]
    fields["duplicate_key"] = fields["paragraph_id"]
    back, _ = embedded_schema.decode_document(embedded_schema.to_tantivy(fields, _topic_mask))
    assert back["duplicate_key"] == fields["paragraph_id"]


def test_a_field_unknown_to_the_stored_form_is_refused() -> None:
    fields = documents.index_fields(CORPUS[0])
    with pytest.raises(ValueError, match="STORED_KEYS"):
        embedded_schema.to_tantivy({**fields, "surprise": 1}, _topic_mask)


def test_every_code_point_survives_the_stored_encoding() -> None:
    text = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
    assert text.encode(embedded_schema.STORED_ENCODING).decode(embedded_schema.STORED_ENCODING) == text


def test_keyword_fields_keep_no_positions_freqs_or_norms(index_dir: Path) -> None:
    fields = _index_schema(index_dir)
    for name in documents.KEYWORD_FIELDS:
        indexing = fields[name]["options"].get("indexing")
        if name in embedded_schema.COLUMN_ONLY:
            assert indexing is None and fields[name]["options"]["fast"]
        else:
            assert indexing == {"record": "basic", "fieldnorms": False, "tokenizer": "raw"}
        assert bool(fields[name]["options"]["fast"]) == (name not in embedded_schema.UNREAD_COLUMNS)


def test_topic_combinations_are_one_numeric_column_and_nothing_else(index_dir: Path) -> None:
    # Counting numbers costs half as much per combination as counting joined names; filters use ``topics``.
    options = _index_schema(index_dir)["topic_mask"]
    assert options["type"] == "u64"
    assert options["options"] == {"indexed": False, "fieldnorms": False, "fast": True, "stored": False}


def test_the_analysed_views_keep_positions_and_norms(index_dir: Path) -> None:
    # Literal matching is a phrase of bigrams, proximity a sloppy phrase of words; BM25 needs the norms.
    fields = _index_schema(index_dir)
    for name in documents.ANALYSED_FIELDS:
        assert fields[name]["options"]["indexing"]["record"] == "position"
        assert fields[name]["options"]["indexing"]["fieldnorms"] is True


def test_article_and_copies_read_back_every_stored_field(index_dir: Path) -> None:
    engine = EmbeddedEngine(index_dir)
    try:
        expected = {doc.paragraph_id: documents.document_from_fields(documents.stored_fields(doc)) for doc in CORPUS}
        for article_id in {doc.article_id for doc in CORPUS}:
            for back in engine.article(article_id):
                assert back == expected[back.paragraph_id]
    finally:
        engine.close()


def test_an_article_head_not_where_the_offset_says_is_found_by_its_article(index_dir: Path) -> None:
    # A segment flushed in the middle of a batch moves the head out of reach of the offset.
    engine = EmbeddedEngine(index_dir)
    try:
        generation = engine._generations.live()
        assert generation is not None
        searcher = generation.searcher()
        checked = 0
        for _, address in searcher.search(tantivy.Query.all_query(), limit=1000).hits:
            fields, head = embedded_schema.decode_document(searcher.doc(address))
            if head is None:
                continue
            right = dict(embedded_schema._article_values(searcher, address, head, fields["article_id"]))
            for wrong in (head + 1, address.doc + 1):
                assert dict(embedded_schema._article_values(searcher, address, wrong, fields["article_id"])) == right
            checked += 1
        assert checked
    finally:
        engine.close()


def test_a_head_is_told_from_another_files_article_of_the_same_id(tmp_path: Path) -> None:
    docs = [replace(doc, article_id="same") for doc in CORPUS if doc.source_path == CORPUS[0].source_path]
    other = [replace(doc, source_path="elsewhere.txt", title="别处") for doc in docs]
    engine = load(EmbeddedEngine(tmp_path), docs + other)
    try:
        generation = engine._generations.live()
        assert generation is not None
        searcher = generation.searcher()
        for _, address in searcher.search(tantivy.Query.all_query(), limit=1000).hits:
            _, head = embedded_schema.decode_document(searcher.doc(address))
            if head is not None:
                found = dict(embedded_schema._article_values(searcher, address, address.doc + 1, "same"))
                assert found == dict(embedded_schema._article_values(searcher, address, head, "same"))
    finally:
        engine.close()


def test_duplicate_keys_read_back_from_the_column_are_the_keys_given(tmp_path: Path) -> None:
    keys = ["00000000000000ff", "0123456789abcdef", "ffffffffffffffff", "0123456789ABCDEF", "dup-teku"]
    base = [doc for doc in CORPUS if not doc.is_heading][: 2 * len(keys)]
    docs = [replace(doc, duplicate_key=keys[i % len(keys)]) for i, doc in enumerate(base)]
    engine = load(EmbeddedEngine(tmp_path), docs)
    try:
        for key in keys:
            copies = engine.copies(key)
            assert sorted(d.paragraph_id for d in copies) == sorted(
                d.paragraph_id for d in docs if d.duplicate_key == key
            )
            assert {d.duplicate_key for d in copies} == {key}
        for article_id in {doc.article_id for doc in docs}:
            for back in engine.article(article_id):
                assert back.duplicate_key == next(d.duplicate_key for d in docs if d.paragraph_id == back.paragraph_id)
    finally:
        engine.close()


def test_a_hex_duplicate_key_is_its_own_collapse_number() -> None:
    assert embedded_schema.collapse_hash("00000000000000ff") == 255
    assert embedded_schema.collapse_hash("0123456789ABCDEF") != int("0123456789ABCDEF", 16)


def test_values_that_follow_from_others_come_back_as_given() -> None:
    doc = replace(CORPUS[0], article_id="art", paragraph_id="art-0003", position=3, duplicate_key="")
    part = replace(doc, paragraph_id="art-0003.0001", position=4, part_of="art-0003")
    heading_only = replace(doc, paragraph_id="solo-0000", article_id="solo", position=0, is_heading=True)
    for fields in documents.settle_headings([doc, part]) + documents.settle_headings([heading_only]):
        fields.article_head = None
        back, _ = embedded_schema.decode_document(embedded_schema.to_tantivy(fields, _topic_mask))
        assert back == _shown(fields)
    assert documents.settle_headings([heading_only])[0]["quality_band"] == "low"
