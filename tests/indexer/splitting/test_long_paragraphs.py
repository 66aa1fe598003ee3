"""Over-long paragraphs are split at sentence ends into bounded parts that join back exactly."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from engine.embedded import EmbeddedEngine
from indexer.ingest import ingest_files
from indexer.pipeline import parse_file
from indexer.splitting.long_paragraphs import (
    MAX_PART_CHARS,
    logical_paragraph_id,
    part_id,
    split_long_paragraph,
)

SENTENCE = "今年工会组织开展送温暖活动，走访慰问困难职工，发放慰问金。"


def test_a_short_paragraph_is_left_alone() -> None:
    assert split_long_paragraph(SENTENCE) == [SENTENCE]


def test_a_long_paragraph_is_cut_after_sentence_ends_into_parts_of_bounded_size() -> None:
    text = SENTENCE * 1000  # 29,000 characters in one paragraph
    parts = split_long_paragraph(text)
    assert "".join(parts) == text
    assert len(parts) > 1
    assert all(len(part) <= MAX_PART_CHARS for part in parts)
    assert all(part.endswith("。") for part in parts)  # never in the middle of a sentence


def test_text_without_any_punctuation_is_still_bounded() -> None:
    text = "工" * (3 * MAX_PART_CHARS + 7)
    parts = split_long_paragraph(text)
    assert "".join(parts) == text and all(len(p) <= MAX_PART_CHARS for p in parts)


@given(st.text(alphabet="工会职工。，；！ a", max_size=400), st.integers(min_value=2, max_value=60))
def test_parts_always_join_back_and_fit(text: str, limit: int) -> None:
    parts = split_long_paragraph(text, limit)
    assert "".join(parts) == text
    assert all(0 < len(p) <= limit for p in parts) or parts == [""]


def test_part_ids_sort_in_reading_order_and_name_their_paragraph() -> None:
    ids = [part_id("abc-0003", k) for k in range(3)] + ["abc-0004"]
    assert ids == sorted(ids)
    assert {logical_paragraph_id(i) for i in ids[:3]} == {"abc-0003"}
    assert logical_paragraph_id("abc-0004") == "abc-0004"


def test_a_one_line_file_becomes_parts_of_one_logical_paragraph(tmp_path: Path) -> None:
    source = tmp_path / "一行的总结.txt"
    source.write_text("东山镇总工会2024年工作总结\n" + SENTENCE * 600 + "\n最后一段。\n", encoding="utf-8")
    parsed = parse_file(source, tmp_path)
    long_parts = [p for p in parsed.paragraphs if p.part_of]
    assert len(long_parts) > 1
    assert "".join(p.text for p in long_parts) == SENTENCE * 600
    assert {p.part_of for p in long_parts} == {long_parts[0].paragraph_id}
    assert all(len(p.text) <= MAX_PART_CHARS for p in parsed.paragraphs)
    positions = [p.position for p in parsed.paragraphs]
    assert positions == list(range(len(positions)))
    assert [p.paragraph_id for p in parsed.paragraphs] == sorted(p.paragraph_id for p in parsed.paragraphs)
    assert parsed.paragraphs[-1].text == "最后一段。" and not parsed.paragraphs[-1].part_of


def test_the_ingest_report_says_how_many_paragraphs_were_split(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "一行.txt").write_text(SENTENCE * 600, encoding="utf-8")
    engine = EmbeddedEngine(tmp_path / "index")
    try:
        report = ingest_files(engine, [(archive / "一行.txt", archive)], workers=1)
    finally:
        engine.close()
    assert report.long_paragraphs == 1 and report.long_paragraph_parts > 1
    assert f"超长段落 1 段已在句末拆分为 {report.long_paragraph_parts} 部分" in report.render()
