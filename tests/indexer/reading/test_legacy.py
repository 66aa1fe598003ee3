"""Legacy .doc/.wps/.rtf through external converters: the real ones when installed, fakes otherwise.

Every test either runs against the real tool or hides/fakes it explicitly, so the
result does not depend on what else the machine has installed.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

import indexer.reading.legacy as legacy
from indexer.reading import UnreadableFile, office, read_source
from indexer.reading.document import Extracted
from tests.indexer.reading.variants import non_empty_lines, write_docx
from tests.indexer.reading.word97 import write_doc

needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")


@pytest.fixture
def without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide an installed LibreOffice: these tests are about antiword alone."""
    monkeypatch.setattr(office, "find_soffice", lambda: None)


@needs_antiword
def test_real_doc_through_antiword(tmp_path: Path, source_text: str, without_libreoffice: None) -> None:
    document = read_source(write_doc(source_text, tmp_path / "summary.doc"))
    assert [line.text for line in document.lines if line.text.strip()] == non_empty_lines(source_text)
    assert document.source.format == "doc"
    assert document.source.encoding is None


@needs_antiword
def test_antiword_failure_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, without_libreoffice: None
) -> None:
    only_antiword = shutil.which("antiword")
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: only_antiword if name == "antiword" else None)
    path = tmp_path / "excel.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8192))
    with pytest.raises(UnreadableFile) as caught:
        read_source(path)
    assert caught.value.reason.startswith("antiword failed")
    assert str(tmp_path) not in caught.value.reason


def fake_tool(directory: Path, name: str, script: str) -> None:
    tool = directory / name
    tool.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory in front of PATH for the fake converters a test writes into it."""
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ.get('PATH', '')}")
    # A fake soffice written here is "installed", even in a run that hides the real one.
    monkeypatch.delenv(office.OFFICE_ENV, raising=False)
    return directory


def ole_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    return path


def test_fake_antiword_output_becomes_lines(tmp_path: Path, fake_path: Path, without_libreoffice: None) -> None:
    fake_tool(fake_path, "antiword", 'printf "\\n一、概况\\r\\n正文第一段\\n"\n')
    document = read_source(ole_file(tmp_path, "a.doc"))
    assert [line.text for line in document.lines] == ["", "一、概况", "正文第一段"]


def test_fake_soffice_is_used_first_and_its_docx_read(
    tmp_path: Path, fake_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tool(fake_path, "antiword", 'printf "antiword text\\n"\n')
    converted = write_docx("一、WPS标题\nWPS正文", tmp_path / "converted.docx", title=None)
    # A cold `soffice --convert-to docx:… --outdir DIR FILE` writes DIR/<stem>.docx.
    fake_tool(
        fake_path,
        "soffice",
        'while [ $# -gt 0 ]; do case "$1" in --outdir) out="$2"; shift;; *) src="$1";; esac; shift; done\n'
        f'mkdir -p "$out"\nname=$(basename "$src")\ncp {converted} "$out/${{name%.*}}.docx"\n',
    )
    monkeypatch.setenv(office.OFFICE_SESSION_ENV, "0")  # the fake speaks no UNO
    for name in ("b.wps", "c.doc"):
        document = read_source(ole_file(tmp_path, name))
        assert [(line.text, line.heading_level) for line in document.lines] == [("一、WPS标题", 1), ("WPS正文", None)]


def test_antiword_is_the_fallback_when_libreoffice_fails(
    tmp_path: Path, fake_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tool(fake_path, "soffice", 'echo "Warning: failed to launch javaldx - java may not function correctly" >&2\n')
    fake_tool(fake_path, "antiword", 'printf "正文第一段\\n"\n')
    monkeypatch.setenv(office.OFFICE_SESSION_ENV, "0")
    assert [line.text for line in read_source(ole_file(tmp_path, "f.doc")).lines] == ["正文第一段"]


def test_converter_failure_reason(tmp_path: Path, fake_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tool(fake_path, "antiword", "echo \"'$1' is not a Word Document.\" >&2\nexit 1\n")
    # LibreOffice fails too, with only its start-up warning: antiword's reason is the real one.
    fake_tool(fake_path, "soffice", 'echo "Warning: failed to launch javaldx - java may not function correctly" >&2\n')
    monkeypatch.setenv(office.OFFICE_SESSION_ENV, "0")
    with pytest.raises(UnreadableFile) as caught:
        read_source(ole_file(tmp_path, "d.doc"))
    assert caught.value.reason.startswith("antiword failed:")
    assert caught.value.reason.endswith("is not a Word Document.")


def test_hanging_converter_is_killed(
    tmp_path: Path, fake_path: Path, monkeypatch: pytest.MonkeyPatch, without_libreoffice: None
) -> None:
    fake_tool(fake_path, "antiword", "exec sleep 30\n")
    monkeypatch.setattr(legacy, "ANTIWORD_TIMEOUT_S", 0.5)
    with pytest.raises(UnreadableFile, match="antiword timed out"):
        read_source(ole_file(tmp_path, "e.doc"))


needs_libreoffice = pytest.mark.skipif(office.find_soffice() is None, reason="LibreOffice is not installed")


def libreoffice_convert(source: Path, target_format: str) -> Path:
    """Have the real LibreOffice write ``source`` as ``target_format`` (doc, rtf, …), as a user would."""
    profile = source.parent / "lo-profile"
    _code, _, err = office.run_tool(
        [
            str(office.find_soffice()),
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            target_format,
            "--outdir",
            str(source.parent),
            str(source),
        ],
        180,
        "LibreOffice",
    )
    produced = source.with_suffix(f".{target_format}")
    assert produced.exists(), err
    return produced


@needs_libreoffice
def test_real_doc_keeps_word_numbering_and_headings(tmp_path: Path, source_text: str) -> None:
    # The section numbers 一、二、 exist only as Word list numbering, which antiword drops.
    doc = libreoffice_convert(write_docx(source_text, tmp_path / "numbered.docx", auto_number=True), "doc")
    document = read_source(doc)
    headings = [line.text for line in document.lines if line.heading_level == 1]
    assert headings and all(text[0] in "一二三四五六七八九十" and "、" in text[:4] for text in headings)
    assert [line.text for line in document.lines if line.text.strip()] == non_empty_lines(source_text)


@needs_libreoffice
def test_rtf_and_wps_are_read_in_one_session(tmp_path: Path, source_text: str) -> None:
    office.close_session()
    docx_file = write_docx(source_text, tmp_path / "s.docx")
    rtf = libreoffice_convert(docx_file, "rtf")
    doc = libreoffice_convert(docx_file, "doc")
    wps = tmp_path / "s.wps"
    wps.write_bytes(doc.read_bytes())  # WPS Office saves Word-format files under .wps
    before = dict(office.stats)
    for path in (rtf, doc, wps, rtf):
        assert [line.text for line in read_source(path).lines if line.text.strip()] == non_empty_lines(source_text)
    if office.sessions_available():
        assert office.stats["sessions"] - before["sessions"] == 1
    assert office.stats["files"] - before["files"] == 4


@needs_libreoffice
def test_a_file_over_its_time_is_given_up_and_the_next_one_is_read(
    tmp_path: Path, source_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rtf = libreoffice_convert(write_docx(source_text, tmp_path / "t.docx"), "rtf")
    monkeypatch.setattr(office, "OFFICE_TIMEOUT_S", 0.001)
    with pytest.raises(UnreadableFile, match="LibreOffice timed out"):
        read_legacy_without_antiword(rtf)
    monkeypatch.setattr(office, "OFFICE_TIMEOUT_S", 120.0)
    assert read_legacy_without_antiword(rtf).lines


def read_legacy_without_antiword(path: Path) -> Extracted:
    """Read an RTF through LibreOffice alone (RTF never goes to antiword)."""
    return legacy.read_legacy(path.read_bytes(), "rtf", rtf=True)


@needs_libreoffice
@needs_antiword
def test_unreadable_doc_says_why_not_what_libreoffice_printed(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_source(ole_file(tmp_path, "broken.doc"))
    reason = caught.value.reason
    assert "javaldx" not in reason and "\n" not in reason
    assert reason.startswith("antiword failed:")
    assert str(tmp_path) not in reason
