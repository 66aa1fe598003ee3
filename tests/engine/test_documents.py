"""The stored form shared by both backends: fields, analysis in bulk, hits and facet lists."""

from __future__ import annotations

import json
from dataclasses import replace

from engine import analysis, documents
from engine.contract import FacetCount
from tests.engine.documents import CORPUS, by_id


def test_stored_fields_give_the_document_back() -> None:
    for doc in CORPUS:
        back = documents.document_from_fields(documents.stored_fields(doc))
        assert back == replace(doc, duplicate_key=doc.duplicate_key or doc.paragraph_id)


def test_empty_facet_values_are_not_stored_as_values() -> None:
    fields = documents.stored_fields(by_id("a004a-0000"))  # a school: no township, no year
    assert fields["township"] is None and fields["year"] is None
    assert documents.document_from_fields(fields).township == ""


def test_headings_and_thin_paragraphs_get_no_quality_band() -> None:
    assert documents.stored_fields(by_id("a002-0000"))["quality_band"] == "heading"
    assert documents.stored_fields(by_id("a003-0001"))["quality_band"] == "low"
    assert documents.stored_fields(by_id("a002-0001"))["quality_band"] == "high"


def test_index_fields_hold_both_token_views_as_space_separated_text() -> None:
    fields = documents.index_fields(by_id("a004a-0000"))
    assert fields["chars"].split() == analysis.char_tokens(fields["text"])
    assert fields["words"].split() == analysis.word_tokens(fields["text"])
    assert "职工" in fields["chars"].split()


def test_already_analysed_documents_are_not_analysed_again() -> None:
    # The indexer analyses on its workers; the engine indexes the views the document carries.
    doc = documents.analysed(by_id("a000-0001"))
    fields = documents.index_fields(by_id("a000-0001"))
    assert documents.index_fields(doc) == fields
    carried = replace(doc, views=replace(doc.views, words="carried"))
    assert documents.index_fields(carried)["words"] == "carried"
    # Views made from other text are never used: the document is analysed afresh.
    edited = replace(carried, text="职工之家")
    assert documents.index_fields(edited)["words"].split() == analysis.word_tokens("职工之家")


def test_a_hit_is_highlighted_and_carries_the_facets() -> None:
    hit = documents.make_hit(documents.stored_fields(by_id("a002-0000")), ["送温暖"], 1.5, duplicate_count=2)
    assert hit.highlighted == "五、努力为职工<mark>送温暖</mark>办实事"
    assert (hit.township, hit.year, hit.duplicate_count, hit.score) == ("茶湖镇", 2012, 2, 1.5)


def test_facet_values_by_count_then_name_with_selected_ones_always_listed() -> None:
    listed = documents.facet_list("org_level", {"县区": 1, "乡镇街道": 5, "市": 1}, ["企业厂矿"], size=2)
    assert listed == [
        FacetCount("乡镇街道", 5),
        FacetCount("县区", 1),
        FacetCount("企业厂矿", 0, selected=True),
    ]


def test_years_are_listed_newest_first() -> None:
    listed = documents.facet_list("year", {"2004": 9, "2012": 1, "2023": 2}, ["2004"], size=2)
    assert [(f.value, f.selected) for f in listed] == [("2023", False), ("2012", False), ("2004", True)]


def test_words_longer_than_elasticsearch_accepts_are_left_out_of_the_words_view() -> None:
    # A pasted base64 blob is one "word"; Elasticsearch would cut it at 255 characters.
    blob = "a" * (documents.MAX_WORD_LENGTH + 1)
    fields = documents.index_fields(replace(by_id("a000-0001"), text=f"工会 {blob} 职工"))
    assert fields["words"].split() == ["工会", "职工"]
    assert blob[:2] in fields["chars"].split()  # still findable literally through the chars view


def test_where_an_articles_values_are_is_no_index_field() -> None:
    # Elasticsearch indexes the dicts as they are: the link to the article's first paragraph must not show.
    fields = documents.settle_headings(CORPUS)
    assert any(f.article_head is not None for f in fields)
    for f in fields:
        assert json.loads(json.dumps(f)) == dict(f) and "article_head" not in f
