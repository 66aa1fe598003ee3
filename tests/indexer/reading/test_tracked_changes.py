"""Tracked changes: what the author deleted stays deleted, what they inserted is kept.

The fixture is a summary with recorded changes — a figure replaced (the old one
deleted, the new one inserted), a sentence inserted, a sentence deleted — written as
ODF tracked changes and saved by the real LibreOffice as .docx and .doc (and .odt,
.rtf), which keep the changes as Word revision marks. Each reader must show the
document as it now reads. Skipped where LibreOffice (or, for the antiword fallback,
antiword) is not installed. antiword, the fallback without LibreOffice, shows deleted
text of these files: a known limit of that fallback, pinned below for what it keeps.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from indexer.reading import legacy, office, read_source
from tests.indexer.reading.office_documents import convert_all

needs_libreoffice = pytest.mark.skipif(office.find_soffice() is None, reason="LibreOffice is not installed")

KEPT = "春节前夕，镇总工会走访慰问困难职工"
DELETED = ["原计划发放9.8万元", "此项工作因疫情推迟。"]
INSERTED = ["86户，发放慰问金12.6万元", "全年帮扶资金全部到位。"]
# The summary as it reads with every change accepted.
UNCHANGED = [
    "全镇已建会企业工资集体协商建制率达到95.3%，签订区域性行业性集体合同7份，覆盖企业126家、职工2870人。",
    "新建标准化职工之家5个、职工书屋3个，镇总工会被评为市级模范职工之家。全年新发展会员418名。",
    "举办第6届职工运动会，设置拔河、跳绳等8个项目，参赛职工达到650人；征集读书心得230篇。",
]
NOW_READS = [
    "鹿苑镇总工会2022年工作总结",
    "春节前夕，镇总工会走访慰问困难职工86户，发放慰问金12.6万元。全年帮扶资金全部到位。",
    "夏季高温期间，在全镇15个重点工地设立“工会爱心驿站”。",
    *UNCHANGED,
]

_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text>
<text:tracked-changes text:track-changes="true">
 <text:changed-region text:id="ct1"><text:deletion>{info}<text:p>{deleted0}</text:p></text:deletion></text:changed-region>
 <text:changed-region text:id="ct2"><text:insertion>{info}</text:insertion></text:changed-region>
 <text:changed-region text:id="ct3"><text:insertion>{info}</text:insertion></text:changed-region>
 <text:changed-region text:id="ct4"><text:deletion>{info}<text:p>{deleted1}</text:p></text:deletion></text:changed-region>
</text:tracked-changes>
<text:p>鹿苑镇总工会2022年工作总结</text:p>
<text:p>{kept}<text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>{inserted0}<text:change-end
 text:change-id="ct2"/>。<text:change-start text:change-id="ct3"/>{inserted1}<text:change-end text:change-id="ct3"/></text:p>
<text:p>夏季高温期间，在全镇15个重点工地设立“工会爱心驿站”。<text:change text:change-id="ct4"/></text:p>
{unchanged}
</office:text></office:body></office:document>
"""
_INFO = "<office:change-info><dc:creator>张三</dc:creator><dc:date>2023-01-05T10:00:00</dc:date></office:change-info>"


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The summary with tracked changes, as LibreOffice writes it in each format."""
    directory = tmp_path_factory.mktemp("tracked")
    source = directory / "tracked.fodt"
    source.write_text(
        _FODT.format(
            info=_INFO,
            kept=KEPT,
            deleted0=DELETED[0],
            deleted1=DELETED[1],
            inserted0=INSERTED[0],
            inserted1=INSERTED[1],
            unchanged="".join(f"<text:p>{text}</text:p>" for text in UNCHANGED),
        ),
        encoding="utf-8",
    )
    return convert_all(source, ["docx", "doc", "odt", "rtf"], directory)


def now_reads(path: Path) -> list[str]:
    return [re.sub(r"\s+", "", line.text) for line in read_source(path).lines if line.text.strip()]


@needs_libreoffice
def test_the_fixture_really_holds_tracked_changes(tracked: dict[str, Path]) -> None:
    with zipfile.ZipFile(tracked["docx"]) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "<w:del " in body and "<w:ins " in body
    # The deleted text is in the file, marked deleted (LibreOffice splits it into runs by script).
    deleted = "".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", body))
    assert all(text in deleted for text in DELETED)


@needs_libreoffice
@pytest.mark.parametrize("fmt", ["docx", "doc", "odt", "rtf"])
def test_deleted_text_stays_deleted_and_inserted_text_is_kept(tracked: dict[str, Path], fmt: str) -> None:
    assert now_reads(tracked[fmt]) == NOW_READS


@needs_libreoffice
@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_antiword_fallback_keeps_inserted_text(tracked: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # Without LibreOffice a .doc is read by antiword, which keeps insertions but (0.37, on the
    # revision marks LibreOffice writes) also shows deleted text: LibreOffice is the reader
    # that honours tracked changes, which is why it comes first. This pins what antiword does keep.
    monkeypatch.setenv(office.OFFICE_ENV, "0")  # as on a machine with antiword only
    extracted = legacy.read_legacy(tracked["doc"].read_bytes(), "doc")
    text = "".join(re.sub(r"\s+", "", line.text) for line in extracted.lines)
    assert all(inserted in text for inserted in INSERTED)
    assert all(unchanged in text for unchanged in UNCHANGED)
