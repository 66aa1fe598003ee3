"""Corrections as sidecar rows: written safely, read back with the right precedence, kept by every ingest."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from engine.embedded import EmbeddedEngine
from indexer.cli import main
from indexer.corrections import CorrectionError, record_correction, validate_values
from indexer.enrichment.sidecar import sidecar_overrides
from indexer.pipeline import discover, parse_file
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "003_1b25769b943d4546.txt"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "档案"
    (root / "鹿苑镇").mkdir(parents=True)
    shutil.copy(SAMPLE, root / "鹿苑镇" / "2023年上半年工会工作总结.txt")
    return root


def _rows(archive: Path) -> list[dict[str, str]]:
    with (archive / "metadata.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_correction_keeps_every_other_row_and_column(archive: Path) -> None:
    (archive / "metadata.csv").write_text(
        "file,title,township,备注\n东山镇/*.docx,,东山镇,人工整理\n", encoding="utf-8-sig"
    )
    file = archive / "鹿苑镇" / "2023年上半年工会工作总结.txt"
    record_correction(archive, file, " 工会工作半年总结篇一 ", {"township": "西山镇", "year": "2022"})
    rows = _rows(archive)
    # Columns the file lacked (one per correctable facet of the registry) are added, empty.
    assert rows[0] == {"file": "东山镇/*.docx", "title": "", "township": "东山镇", "备注": "人工整理",
                       "doc_type": "", "org_type": "", "org_level": "", "org_name": "", "period": "",
                       "year": ""}  # fmt: skip
    assert rows[1]["file"] == "鹿苑镇/2023年上半年工会工作总结.txt"
    assert (rows[1]["title"], rows[1]["township"], rows[1]["year"]) == ("工会工作半年总结篇一", "西山镇", "2022")
    # Updating the same file + title changes that row, never adds a second one.
    record_correction(archive, file, "工会工作半年总结篇一", {"township": "南山镇"})
    rows = _rows(archive)
    assert len(rows) == 2 and (rows[1]["township"], rows[1]["year"]) == ("南山镇", "2022")
    assert not list(archive.glob(".metadata.csv.*[!k]"))  # no temporary files left behind


def test_names_with_glob_characters_are_escaped_and_still_match_only_themselves(archive: Path) -> None:
    odd = archive / "总结[2023].txt"
    shutil.copy(SAMPLE, odd)
    shutil.copy(SAMPLE, archive / "总结2.txt")  # [2023] as a glob would match this name
    record_correction(archive, odd, "工会工作半年总结篇一", {"org_level": "企业厂矿"})
    assert _rows(archive)[0]["file"] == "总结[[]2023].txt"
    assert sidecar_overrides(odd, "工会工作半年总结篇一", archive) == {"org_level": "企业厂矿"}
    assert sidecar_overrides(archive / "总结2.txt", "工会工作半年总结篇一", archive) == {}


def test_exact_rows_beat_globs_and_inner_files_regardless_of_order(archive: Path) -> None:
    file = archive / "鹿苑镇" / "2023年上半年工会工作总结.txt"
    (archive / "鹿苑镇" / "metadata.csv").write_text("file,township,period\n*.txt,内层镇,全年\n", encoding="utf-8")
    (archive / "metadata.csv").write_text(
        "file,title,township\n鹿苑镇/*.txt,,外层镇\n鹿苑镇/2023年上半年工会工作总结.txt,,文件镇\n"
        "鹿苑镇/2023年上半年工会工作总结.txt,篇一,标题镇\n",
        encoding="utf-8",
    )
    assert sidecar_overrides(file, "篇一", archive) == {"township": "标题镇", "period": "全年"}
    assert sidecar_overrides(file, "篇二", archive) == {"township": "文件镇", "period": "全年"}
    # The title as the index shows it (the first words, when the file gives none) matches too.
    assert sidecar_overrides(file, "", archive, also_title="篇一")["township"] == "标题镇"


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"org_level": "大单位"}, "单位层级只能是"),
        ({"period": "春季"}, "时段只能是"),
        ({"year": "1800"}, "年份应为"),
        ({"township": "@SUM(A1)"}, "不能以 = + - @ 开头"),
        ({"org_name": "甲\n乙"}, "控制字符"),
        ({"source_path": "x"}, "不能修改字段"),
    ],
)
def test_bad_values_are_refused_with_the_reason(values: dict[str, str], reason: str) -> None:
    with pytest.raises(CorrectionError, match=re.escape(reason)):
        validate_values(values)


def test_files_outside_the_archive_and_formula_titles_are_refused(archive: Path, tmp_path: Path) -> None:
    outside = tmp_path / "外面.txt"
    shutil.copy(SAMPLE, outside)
    with pytest.raises(CorrectionError, match="不在档案文件夹"):
        record_correction(archive, outside, "x", {"township": "西山镇"})
    with pytest.raises(CorrectionError, match="不能安全写入"):
        record_correction(archive, archive / "鹿苑镇" / "2023年上半年工会工作总结.txt", "=1+1", {"township": "镇"})
    assert not (archive / "metadata.csv").exists()


def test_force_rereads_unchanged_files_so_a_sidecar_edit_shows(archive: Path, tmp_path: Path, capsys) -> None:
    index = tmp_path / "index"
    assert main(["ingest", str(archive), "--index", str(index), "--workers", "1"]) == 0
    file = archive / "鹿苑镇" / "2023年上半年工会工作总结.txt"
    title = parse_file(file, archive).articles[0].title
    record_correction(archive, file, title, {"township": "西山镇"})
    assert main(["ingest", str(archive), "--index", str(index), "--workers", "1"]) == 0
    assert "未变化跳过 1 个" in capsys.readouterr().err  # unchanged bytes: plain ingest skips it
    assert main(["ingest", str(archive), "--index", str(index), "--workers", "1", "--force"]) == 0
    engine = EmbeddedEngine(index)
    try:
        article = parse_file(file, archive).articles[0].article_id
        assert engine.article(article)[0].township == "西山镇"
        assert len({d.paragraph_id for d in engine.article(article)}) == len(engine.article(article))
    finally:
        engine.close()


def test_hidden_folders_are_never_ingested(archive: Path) -> None:
    (archive / ".trash" / "20240101" / "鹿苑镇").mkdir(parents=True)
    shutil.copy(SAMPLE, archive / ".trash" / "20240101" / "鹿苑镇" / "删掉的.txt")
    (archive / ".portal").mkdir()
    shutil.copy(SAMPLE, archive / ".portal" / "incoming.txt")
    found = [path.relative_to(archive).as_posix() for path, _ in discover([archive])]
    assert found == ["鹿苑镇/2023年上半年工会工作总结.txt"]
