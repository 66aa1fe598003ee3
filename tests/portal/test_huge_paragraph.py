"""One huge paragraph must not stall the portal (issue 16, point 1).

Two defences, each tested on its own: the indexer splits an over-long
paragraph into bounded parts (an uploaded one-line file), and a request
marks matches over a bounded window only (a huge paragraph already in an
index built before the split, or loaded by other means).
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.contract import IndexDocument
from engine.embedded import EmbeddedEngine
from engine.highlight import MAX_MARKED_CHARS, highlight, strip_marks
from indexer.splitting.long_paragraphs import MAX_PART_CHARS
from tests.portal.adminkit import Site, build_site, client_of, portal

SENTENCE = "今年工会组织开展送温暖活动，走访慰问困难职工，发放慰问金。"


def test_marking_a_huge_paragraph_stops_at_a_bounded_window_and_keeps_the_text() -> None:
    text = SENTENCE * 100_000  # 2.9 million characters: 100,000 occurrences of 困难职工
    marked = highlight(text, ["困难职工"])
    assert marked.match_count == text[:MAX_MARKED_CHARS].count("困难职工")
    assert html.unescape(strip_marks(marked.html)) == text  # copying still gives the exact text
    assert marked.fragment_end - marked.fragment_start <= 200


@pytest.fixture
def legacy_index(tmp_path: Path) -> Iterator[Path]:
    """An index holding one 2.9-million-character paragraph, as an index built before the split would."""
    index = tmp_path / "index"
    engine = EmbeddedEngine(index)
    doc = IndexDocument(
        paragraph_id="huge0000000000a-0000",
        article_id="huge0000000000a",
        position=0,
        text=SENTENCE * 100_000,
        title="一行的总结",
        source_path="legacy/一行.txt",
        source_sha256="0" * 64,
        quality=0.8,
    )
    try:
        engine.replace_source(doc.source_path, [doc])
        engine.commit()
    finally:
        engine.close()
    yield index


def test_a_query_matching_a_huge_indexed_paragraph_answers_with_bounded_marks(
    legacy_index: Path, tmp_path: Path
) -> None:
    app = portal(tmp_path, INDEX_DIR=str(legacy_index))
    client = client_of(app)
    try:
        response = client.get("/api/search?q=困难职工")
        assert response.status_code == 200
        hit = response.get_json()["hits"][0]
        assert hit["match_count"] <= MAX_MARKED_CHARS  # not 100,000 marks
        assert hit["highlighted"].count("<mark>") == hit["match_count"]
        page = client.get("/?q=困难职工")
        assert page.status_code == 200
    finally:
        app.extensions["portal.engine"].close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    built = build_site(tmp_path)
    yield built
    built.close()


def test_an_uploaded_one_line_file_is_searchable_in_bounded_parts_and_deleted_at_once(site: Site) -> None:
    content = ("东山镇总工会2024年工作总结\n" + "晨星帮扶" + SENTENCE * 20_000).encode()  # 580,000 characters
    data = {"files": [(io.BytesIO(content), "一行.txt")], "folder": "东山镇", "csrf_token": site.token()}
    assert site.client.post("/admin/upload", data=data, content_type="multipart/form-data").status_code == 200
    hits = site.client.get("/api/search?q=困难职工&collapse=0&size=100").get_json()["hits"]
    ours = [h for h in hits if h["source_path"].endswith("一行.txt")]
    assert ours and all(len(h["text"]) <= MAX_PART_CHARS for h in ours)
    article = site.client.get(f"/api/articles/{ours[0]['article_id']}").get_json()
    texts = [p["text"] for p in article["paragraphs"]]
    assert "晨星帮扶" + SENTENCE * 20_000 in "".join(texts)  # nothing lost, in reading order

    first = site.client.get("/api/search?q=晨星帮扶").get_json()["hits"][0]
    token = site.token()
    response = site.client.post(f"/admin/articles/{first['article_id']}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    # Effective at once, for every query that matched it.
    assert site.client.get("/api/search?q=晨星帮扶").get_json()["hits"] == []
    left = site.client.get("/api/search?q=困难职工&collapse=0&size=100").get_json()["hits"]
    assert not [h for h in left if h["source_path"].endswith("一行.txt")]
