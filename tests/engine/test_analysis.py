"""Text analysis: what counts as the same character, and the two token views."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Equivalences the fast implementation relies on. Each reference below is the plain, character-by-character
# definition that engine.analysis once spelt out; the module must keep producing exactly its output, or
# indexes built under the same analysis_version() would disagree with new queries.

#: Characters where width, case, compatibility, traditional/simplified or Unicode classes are subtle.
TRICKY = (
    "职工教职工職工會喪溫婚、乾干後后髮發臺台"  # simplified and traditional Han
    "ＡＢＣａｂｃ１２３＿－．，。！？（）％＃＆＋"  # full width
    "abcXYZ09 _-./%#&+@~\t\n\r\u3000\u00a0\u2028\ufeff\x00"  # ASCII, spaces, controls
    "\u0301\u0308\u0327\u20dd\u3099\u203f\u2040\ufe33"  # combining marks, connector punctuation
    "ⅧⅫⅰ①⑳⓵²³₂½ﬁﬂﬃǅŉßİẞΣς℃™㎏㍿٠३߀"  # numerals, superscripts, ligatures, letterlike
    "😀👍🏽\u200d\ufe0f\U000e0001"  # emoji and tags
    "\U00020000\U0002a6a5\U0002f800\U0002f81f\uf900\ufa0e㐀鿿"  # non-BMP and compatibility Han
    "\u2016"  # RUN_BREAK
)

tricky_text = st.text(st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=40)


def reference_literal_runs(text: str) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    for ch in "".join(map(analysis.fold_char, text)):
        if ch.isalnum():
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def reference_char_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for run in reference_literal_runs(text):
        if tokens:
            tokens.append(analysis.RUN_BREAK)
        tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return tokens


def reference_split(words: list[str]) -> list[str]:
    """Keep a word made only of word characters; split any other at its non-word characters."""
    out: list[str] = []
    for word in words:
        if all(ch.isalnum() for ch in word):
            out.append(word)
        else:
            out.extend(piece for piece in re.split(r"[^\w]+|_+", word) if piece)
    return out


def reference_word_tokens(text: str) -> list[str]:
    folded = "".join(map(analysis.fold_char, text))
    tokens = analysis._load_tokenizer().tokenize(folded, mode="search", hmm=True)
    return reference_split([word for word, _start, _end in tokens])


def test_word_run_pattern_matches_exactly_the_word_characters_over_all_code_points() -> None:
    # Python's \w is isalnum() plus "_" today; other regex engines (and maybe other Unicode versions) differ.
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert "".join(analysis._WORD_RUN.findall(every)) == "".join(filter(analysis.is_word_char, every))


def test_run_break_is_not_a_word_character() -> None:
    assert not analysis.is_word_char(analysis.RUN_BREAK)
    assert not analysis.is_word_char(analysis._WORD_SEPARATOR)


def test_fold_equals_fold_char_on_every_tricky_character() -> None:
    assert analysis.fold(TRICKY) == "".join(map(analysis.fold_char, TRICKY))
    for ch in TRICKY:
        assert analysis.fold(ch) == analysis.fold_char(ch)
        assert len(analysis.fold_char(ch)) == 1


def test_fold_is_still_exact_once_its_table_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "_FOLD_TABLE", analysis._FoldTable())
    monkeypatch.setattr(analysis, "_FOLD_TABLE_LIMIT", 3)
    assert analysis.fold(TRICKY) == "".join(map(analysis.fold_char, TRICKY))
    assert analysis.fold(TRICKY[::-1]) == "".join(map(analysis.fold_char, TRICKY[::-1]))
    assert len(analysis._FOLD_TABLE) == 3


@settings(max_examples=300, deadline=None)
@given(text=tricky_text)
def test_fold_equals_fold_char_per_character(text: str) -> None:
    assert analysis.fold(text) == "".join(map(analysis.fold_char, text))


@settings(max_examples=300, deadline=None)
@given(text=tricky_text)
def test_literal_runs_and_char_tokens_match_the_character_loop(text: str) -> None:
    assert analysis.literal_runs(text) == reference_literal_runs(text)
    assert analysis.char_tokens(text) == reference_char_tokens(text)
    for run in reference_literal_runs(text):
        assert analysis.bigrams(run) == reference_char_tokens(run)


@settings(max_examples=300, deadline=None)
@given(text=tricky_text)
def test_word_tokens_match_jieba_search_tokens_split_at_non_word_characters(text: str) -> None:
    # Also guards the claim that cut_for_search and tokenize(mode="search") agree, should rjieba change.
    assert analysis.word_tokens(text) == reference_word_tokens(text)


@pytest.mark.parametrize(
    "words",
    [
        ["职工", "教职", "教职工"],  # all whole
        ["职工", ",", "。", " ", "_", "\u0301"],  # whole and non-word only
        ["2023-12-30", "职工", ",", "3.5%"],  # mixed
        ["a_b", "x\u0301y", "c++", "__", "e\u203ff"],  # underscore, combining mark, other connector
        ["", "职工", ",", ""],  # an empty word is kept, whatever else is there
        ["", "12-30"],
        [],
    ],
)
def test_word_tokens_split_each_jieba_word_as_the_word_loop_did(
    monkeypatch: pytest.MonkeyPatch, words: list[str]
) -> None:
    class FixedTokenizer:
        def cut_for_search(self, text: str, hmm: bool = True) -> list[str]:
            return list(words)

    monkeypatch.setattr(analysis, "_tokenizer", FixedTokenizer())
    assert analysis.word_tokens("ignored") == reference_split(words)


def test_word_tokens_match_the_reference_on_the_sample_corpus(samples_dir: Path) -> None:
    for path in sorted(samples_dir.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert analysis.word_tokens(line) == reference_word_tokens(line)
            assert analysis.char_tokens(line) == reference_char_tokens(line)


@settings(max_examples=200, deadline=None)
@given(text=tricky_text)
def test_token_views_are_the_two_views_of_the_text(text: str) -> None:
    assert analysis.token_views(text) == (analysis.word_tokens(text), analysis.char_tokens(text))


def _contains_run(tokens: list[str], part: list[str]) -> bool:
    return any(tokens[i : i + len(part)] == part for i in range(len(tokens) - len(part) + 1))


@settings(max_examples=200, deadline=None)
@given(text=tricky_text)
def test_a_word_token_stands_literally_in_the_chars_view(text: str) -> None:
    # What lets a count of word hits stand for part of a literal count (engine.plan.word_count_query).
    # A word of one character is inside some chars token, as a one-character literal match asks.
    chars = analysis.char_tokens(text)
    for word in analysis.word_tokens(text):
        if len(word) == 1:
            assert any(word in token for token in chars), word
        else:
            assert _contains_run(chars, analysis.bigrams(word)), word


def test_injected_pinyin_readings_do_not_split_words() -> None:
    # Anti-copy pages put a reading after characters: 教代會(huì), 困(kùn)难(nán)职(zhí)工(gōng).
    assert analysis.without_readings(analysis.fold("教代會(huì)")) == "教代会"
    assert analysis.without_readings(analysis.fold("困(kùn)难(nán)职(zhí)工(gōng)也(yě)")) == "困难职工也"
    assert "困难职工" in analysis.word_tokens("困(kùn)难(nán)职(zhí)工(gōng)")
    assert "代会" in analysis.char_tokens("教代會(huì)的工作")
    # Only a reading: Latin letters in brackets after a Han character, with a tone mark or a neutral particle.
    assert analysis.without_readings("工会(acftu)表(1)了(le)") == "工会(acftu)表(1)了"
