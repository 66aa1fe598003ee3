"""Highlights: marks on the original text, safe HTML, and a good window for long paragraphs."""

from __future__ import annotations

import html

import pytest

from engine.highlight import highlight, match_spans, strip_marks


def plain(marked: str) -> str:
    """What a user gets back when copying a highlighted paragraph."""
    return html.unescape(strip_marks(marked))


def test_matches_are_wrapped_in_mark_and_the_text_is_unchanged() -> None:
    text = "开展送温暖活动，努力为职工排忧解难。"
    result = highlight(text, ["送温暖"])
    assert result.html == "开展<mark>送温暖</mark>活动，努力为职工排忧解难。"
    assert plain(result.html) == text


def test_html_in_the_text_is_escaped_before_marks_are_added() -> None:
    text = '职工书屋 <script>alert("工会")</script> & 借阅'
    result = highlight(text, ["工会"])
    assert "<script>" not in result.html
    assert "&lt;script&gt;" in result.html
    assert "<mark>工会</mark>" in result.html
    assert plain(result.html) == text


def test_a_search_in_simplified_marks_the_traditional_original() -> None:
    result = highlight("每当职工遇到婚、喪等大事之时", ["丧等"])
    assert result.html == "每当职工遇到婚、<mark>喪等</mark>大事之时"


def test_full_width_text_is_marked_for_a_half_width_query() -> None:
    assert highlight("ＸＸ年元旦", ["xx年"]).html == "<mark>ＸＸ年</mark>元旦"


def test_every_occurrence_is_counted() -> None:
    result = highlight("送温暖，再送温暖，三送温暖", ["送温暖"])
    assert result.match_count == 3


def test_overlapping_and_touching_matches_merge_into_one_mark() -> None:
    result = highlight("关心教职工生活", ["教职工", "职工", "生活"])
    assert result.html == "关心<mark>教职工生活</mark>"
    assert result.match_count == 1


def test_a_phrase_with_punctuation_marks_each_of_its_runs() -> None:
    # "元旦、春节" matches literally run by run, so both runs are marked.
    result = highlight("在“元旦、春节”等重大节日", ["元旦、春节"])
    assert result.html == "在“<mark>元旦</mark>、<mark>春节</mark>”等重大节日"


def test_no_terms_means_no_marks() -> None:
    result = highlight("工会工作总结", [])
    assert result.html == "工会工作总结"
    assert result.match_count == 0


def test_short_paragraphs_are_their_own_fragment() -> None:
    result = highlight("五、努力为职工送温暖办实事", ["送温暖"], fragment_size=160)
    assert result.fragment_html == result.html
    assert (result.fragment_start, result.fragment_end) == (0, len("五、努力为职工送温暖办实事"))


def test_long_paragraphs_get_the_window_with_most_matches() -> None:
    filler = "全镇各级工会组织认真学习贯彻上级精神。" * 10
    text = filler + "开展送温暖活动，送温暖到家，送温暖到人。" + filler
    result = highlight(text, ["送温暖"], fragment_size=60)
    fragment = text[result.fragment_start : result.fragment_end]
    assert fragment.count("送温暖") == 3
    assert 60 <= len(fragment) <= 70
    assert plain(result.fragment_html) == fragment
    assert result.fragment_html.count("<mark>") == 3


def test_a_fragment_never_cuts_a_match_in_half() -> None:
    text = "工" * 100 + "送温暖" + "会" * 100
    for size in range(20, 60):
        result = highlight(text, ["送温暖"], fragment_size=size)
        fragment = text[result.fragment_start : result.fragment_end]
        assert "送温暖" in fragment


def test_a_long_paragraph_without_matches_starts_at_the_beginning() -> None:
    text = "工会" * 200
    result = highlight(text, ["送温暖"], fragment_size=50)
    assert (result.fragment_start, result.fragment_end) == (0, 50)


@pytest.mark.parametrize("text", ["", "<>&\"'", "工会 &amp; 职工", "a<mark>b</mark>c"])
def test_round_trip_holds_for_awkward_text(text: str) -> None:
    result = highlight(text, ["工会", "mark", "b"])
    assert plain(result.html) == text


def test_match_spans_are_offsets_in_the_original_text() -> None:
    text = "ＸＸ年，婚、喪"
    assert match_spans(text, ["xx年", "丧"]) == [(0, 3), (6, 7)]
