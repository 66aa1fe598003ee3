"""Content beats the file name where the bytes say what they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.reading import SUPPORTED_SUFFIXES, format_of, read_source
from indexer.reading.sniff import Content, sniff
from tests.indexer.reading.variants import write_mhtml, write_pdf

TEXT = "一、概况\n镇工会全年走访困难职工一百二十户。\n"


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    path = write_pdf(TEXT, tmp_path / "misnamed.txt")
    document = read_source(path)
    assert "".join(line.text for line in document.lines).replace(" ", "") == TEXT.replace("\n", "")
    assert document.source.format == "txt"
    assert document.source.encoding is None


def test_mhtml_saved_as_doc(tmp_path: Path) -> None:
    path = write_mhtml(TEXT, tmp_path / "web.doc")
    assert [line.text for line in read_source(path).lines] == ["一、概况", "镇工会全年走访困难职工一百二十户。"]


def test_plain_text_named_doc(tmp_path: Path) -> None:
    path = tmp_path / "plain.doc"
    path.write_bytes(TEXT.encode("gb18030"))
    document = read_source(path)
    assert [line.text for line in document.lines] == TEXT.split("\n")[:-1]
    assert document.source.encoding == "gb18030"


def test_rtf_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    path = tmp_path / "template.doc"
    path.write_bytes(rb"{\rtf1\ansi\ansicpg936 \'b9\'a4\'bb\'e1}")
    from indexer.reading import UnreadableFile

    with pytest.raises(UnreadableFile, match="unsupported: install LibreOffice to read RTF"):
        read_source(path)


@pytest.mark.parametrize(
    ("head", "content"),
    [
        (b"%PDF-1.7\n", Content.PDF),
        (b"\r\n%PDF-1.4", Content.PDF),
        (b"PK\x03\x04", Content.ZIP),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Content.OLE),
        (b"{\\rtf1\\ansi", Content.RTF),
        (b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=x", Content.MHTML),
        (b"\xef\xbb\xbf<!DOCTYPE html><html>", Content.HTML),
        (b"  <HTML><HEAD>", Content.HTML),
        ("一、概况".encode(), Content.UNKNOWN),
    ],
)
def test_sniff(head: bytes, content: Content) -> None:
    assert sniff(head + b"\n" * 10) is content


def test_formats() -> None:
    assert format_of(Path("a/B.HTM")) == "html"
    assert format_of(Path("x.TEXT")) == "txt"
    assert format_of(Path("x.mht")) == "mhtml"
    assert format_of(Path("x.docx")) == "docx"
    assert {".txt", ".docx", ".pdf", ".html", ".htm", ".doc", ".wps"} <= SUPPORTED_SUFFIXES
    assert all(suffix == suffix.lower() and suffix.startswith(".") for suffix in SUPPORTED_SUFFIXES)
