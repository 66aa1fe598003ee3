"""Text analysis: what counts as the same character, and the two token views."""

from __future__ import annotations

from engine import analysis


def test_traditional_characters_fold_to_simplified() -> None:
    assert analysis.fold("婚、喪等大事") == "婚、丧等大事"
    assert analysis.fold("工會組織") == "工会组织"


def test_full_width_forms_fold_to_half_width() -> None:
    assert analysis.fold("，") == ","
    assert analysis.fold("ＡＢＣ１２３") == "abc123"


def test_folding_keeps_the_length_so_offsets_stay_valid() -> None:
    text = "每当职工遇到病、困或婚、喪等大事之时，ＸＸ年“送温暖”！"
    folded = analysis.fold(text)
    assert len(folded) == len(text)
    start = folded.index("丧等")
    assert text[start : start + 2] == "喪等"


def test_literal_runs_split_on_punctuation_and_spaces() -> None:
    assert analysis.literal_runs("送温暖，办实事 2023年") == ["送温暖", "办实事", "2023年"]


def test_char_tokens_are_bigrams_with_a_break_between_runs() -> None:
    tokens = analysis.char_tokens("教职工，代表")
    assert tokens == ["教职", "职工", analysis.RUN_BREAK, "代表"]


def test_zhigong_is_found_inside_jiaozhigong_through_chars() -> None:
    # jieba may keep 教职工 whole; the bigram view still holds 职工 as a token.
    assert "职工" in analysis.char_tokens("关心教职工生活")
    assert analysis.bigrams("职工")[0] in analysis.char_tokens("关心教职工生活")


def test_a_single_character_run_is_its_own_token() -> None:
    assert analysis.char_tokens("婚、喪") == ["婚", analysis.RUN_BREAK, "丧"]


def test_word_tokens_come_from_folded_text_without_punctuation() -> None:
    words = analysis.word_tokens("開展送溫暖活動，")
    assert "送温暖" in words
    assert "，" not in words and "," not in words


def test_analysis_version_is_stable_within_a_run() -> None:
    assert analysis.analysis_version() == analysis.analysis_version()
    assert len(analysis.analysis_version()) == 16
