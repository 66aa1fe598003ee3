"""What the search box accepts: words, "phrases", -exclusions, OR; and never an error."""

from __future__ import annotations

import pytest

from engine.query import MAX_QUERY_LENGTH, Clause, ParsedQuery, Term, parse_query


def required(parsed: ParsedQuery) -> list[list[str]]:
    """The required clauses as plain lists of alternative texts."""
    return [[t.text for t in clause.alternatives] for clause in parsed.required]


def test_words_separated_by_spaces_must_all_occur() -> None:
    parsed = parse_query("送温暖 困难职工")
    assert required(parsed) == [["送温暖"], ["困难职工"]]
    assert parsed.excluded == ()


def test_a_quoted_text_is_one_exact_phrase() -> None:
    parsed = parse_query('"工资 集体协商" 企业')
    assert parsed.required[0] == Clause((Term("工资 集体协商", phrase=True),))
    assert required(parsed) == [["工资 集体协商"], ["企业"]]


@pytest.mark.parametrize("quoted", ["“厂务公开”", "「厂务公开」", "『厂务公开』", "＂厂务公开＂"])
def test_chinese_quotation_marks_make_phrases_too(quoted: str) -> None:
    assert parse_query(quoted).required == (Clause((Term("厂务公开", phrase=True),)),)


def test_a_minus_excludes_a_word_or_phrase() -> None:
    parsed = parse_query('送温暖 -春节 -"元旦 慰问"')
    assert required(parsed) == [["送温暖"]]
    assert parsed.excluded == (Term("春节"), Term("元旦 慰问", phrase=True))


def test_full_width_minus_from_a_chinese_keyboard_also_excludes() -> None:
    assert parse_query("送温暖 －春节").excluded == (Term("春节"),)


def test_or_offers_alternatives_within_one_clause() -> None:
    parsed = parse_query("教职工 OR 女职工 代表")
    assert required(parsed) == [["教职工", "女职工"], ["代表"]]


def test_lowercase_or_is_just_a_word() -> None:
    assert required(parse_query("a or b")) == [["a"], ["or"], ["b"]]


def test_positive_terms_are_what_gets_highlighted() -> None:
    parsed = parse_query('送温暖 OR 慰问 "困难 职工" -春节')
    assert parsed.positive_terms() == ["送温暖", "慰问", "困难 职工"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"送温暖 活动', [["送温暖"], ["活动"]]),  # unbalanced quote: plain words
        ("“送温暖 活动", [["送温暖"], ["活动"]]),  # unbalanced Chinese quote
        ("OR 送温暖", [["送温暖"]]),  # dangling OR at the start
        ("送温暖 OR", [["送温暖"]]),  # dangling OR at the end
        ("送温暖 OR OR 慰问", [["送温暖", "慰问"]]),  # doubled OR
        ("送温暖 - --", [["送温暖"]]),  # lone minus signs
        ('""', []),  # empty phrase
        ("   ", []),
    ],
)
def test_malformed_syntax_degrades_to_plain_words(raw: str, expected: list[list[str]]) -> None:
    assert required(parse_query(raw)) == expected


def test_only_exclusions_is_not_empty() -> None:
    parsed = parse_query("-春节")
    assert parsed.required == ()
    assert not parsed.is_empty


def test_blank_input_is_an_empty_query() -> None:
    assert parse_query("").is_empty
    assert parse_query(None).is_empty


def test_engine_syntax_is_not_interpreted() -> None:
    # Lucene/tantivy operators are ordinary characters here; nothing reaches an engine parser.
    assert required(parse_query("title:工会 AND (a*)")) == [["title:工会"], ["AND"], ["(a*)"]]


def test_overlong_input_is_cut_not_rejected() -> None:
    parsed = parse_query("工" * (MAX_QUERY_LENGTH + 50))
    assert required(parsed) == [["工" * MAX_QUERY_LENGTH]]
