"""The folded view rules match on: width, script and injected readings folded away, offsets kept."""

from __future__ import annotations

from engine.analysis import fold as engine_fold
from indexer.folding import fold, fold_chars, folded_view, strip_readings


def test_traditional_full_width_and_readings_fold_to_one_view() -> None:
    assert fold("鎮(zhèn)工會(huì)２０２３年工作總結(jié)：") == "镇工会2023年工作总结:"
    assert fold("工作总结(summary)") == "工作总结"


def test_real_brackets_are_not_readings() -> None:
    # Digits, capitals, spaces or Chinese inside brackets are the author's.
    assert fold("(一)加强组织建设") == "(一)加强组织建设"
    assert fold("职工(含退休)120人") == "职工(含退休)120人"
    assert fold("采用PDCA(Plan Do)循环") == "采用pdca(plan do)循环"


def test_offsets_map_a_match_in_the_view_back_onto_the_text_as_written() -> None:
    text = "在縣(xiàn)總工會(huì)的領導下"
    view = folded_view(text)
    start = view.text.index("总工会")
    a, b = view.original_span(start, start + 3)
    assert text[a:b] == "總工會"


def test_strip_readings_keeps_the_script_the_author_wrote() -> None:
    assert strip_readings("醫(yī)院工會(huì)年終總結(jié)") == "醫院工會年終總結"
    assert strip_readings("没有注音的标题") == "没有注音的标题"


def test_fold_chars_is_the_engine_fold_whatever_the_characters() -> None:
    # Only runs of characters the engine may change are looked up: the result must not tell.
    every = "".join(chr(code) for code in range(0x30000) if not 0xD800 <= code <= 0xDFFF)
    for start in range(0, len(every), 4099):
        chunk = every[start : start + 4099]
        assert fold_chars.__wrapped__(chunk) == engine_fold(chunk)
    prose = "鎮工會，２０２３年：職工（含退休）１２０人，，ＡＢ①；“優秀”\u3000工作。"
    assert fold_chars(prose) == engine_fold(prose)
