"""Upload admission and the reader agree on what a file is: one decision, made by its bytes.

An upload is kept under the extension its bytes deserve (indexer.content_suffix),
and the ingest later picks a reader from that name and the same bytes
(indexer.reading.content_format). Whatever the sender called the file, the two
must land on the same format, or a file admitted as readable would be read as
something else — or not at all.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.admission import Refused, check_readable, content_suffix
from indexer.reading import content_format, format_of, read_source
from tests.indexer.reading.variants import html_page, io_bytes_of_docx, write_docx, write_mhtml, write_pdf

TEXT = "一、概况\n镇工会全年走访困难职工一百二十户。\n"
WORDS = "走访困难职工一百二十户"


def _odt(text: str, *extra: tuple[str, bytes]) -> bytes:
    """A minimal OpenDocument text package: the media type first and uncompressed, as ODF requires."""
    body = "".join(f"<text:p>{line}</text:p>" for line in text.splitlines())
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def _via_file(write: Callable[[str, Path], Path], suffix: str) -> Callable[[Path], bytes]:
    return lambda tmp: write(TEXT, tmp / f"source{suffix}").read_bytes()


CASES: list[tuple[str, Callable[[Path], bytes], str, str]] = [
    ("pdf named docx", _via_file(write_pdf, ".pdf"), "总结.docx", ".pdf"),
    ("docx named txt", _via_file(write_docx, ".docx"), "总结.txt", ".docx"),
    ("docx named dotx", _via_file(write_docx, ".docx"), "模板.dotx", ".dotx"),
    ("web page named pdf", lambda tmp: html_page(TEXT).encode(), "总结.pdf", ".html"),
    ("web page named htm", lambda tmp: html_page(TEXT).encode(), "总结.htm", ".htm"),
    ("saved web page named doc", _via_file(write_mhtml, ".mht"), "总结.doc", ".mht"),
    ("text named docx", lambda tmp: TEXT.encode("gb18030"), "总结.docx", ".txt"),
    ("markdown", lambda tmp: TEXT.encode(), "总结.md", ".md"),
    ("odt named zip", lambda tmp: _odt(TEXT), "总结.zip", ".odt"),
    ("odt without a name", lambda tmp: _odt(TEXT), "总结", ".odt"),
]


@pytest.mark.parametrize(("case", "make", "sent", "kept"), CASES, ids=[case[0] for case in CASES])
def test_an_upload_is_kept_under_a_name_the_reader_reads_as_its_bytes(
    tmp_path: Path, case: str, make: Callable[[Path], bytes], sent: str, kept: str
) -> None:
    data = make(tmp_path)
    suffix = content_suffix(data, sent)
    assert suffix == kept
    stored = tmp_path / f"stored{suffix}"
    stored.write_bytes(data)
    check_readable(stored)  # what the portal does before it keeps the file
    # The reader, choosing by the kept name and the bytes, lands where admission did by the bytes alone.
    assert content_format(data, format_of(stored)) == content_format(data)
    assert WORDS in "".join(line.text for line in read_source(stored).lines)


def _zip(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(TEXT)
    return io_bytes_of_docx(document)


REFUSALS: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("a plain zip", lambda: _zip(("readme.txt", b"hello")), "总结.docx", "不是 Word 文档"),
    ("a cut-off docx", lambda: _docx_bytes()[:-200], "总结.docx", "损坏"),
    (
        "an encrypted Word file",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
        "a.docx",
        "密码",
    ),
    ("an odt with Basic macros", lambda: _odt(TEXT, ("Basic/Standard/Module1.xml", b"<x/>")), "总结.odt", "含宏"),
    ("a program", lambda: b"MZ\x90\x00\x03" + bytes(range(256)) * 40, "总结.txt", "不支持的文件类型"),
]


@pytest.mark.parametrize(("case", "make", "sent", "reason"), REFUSALS, ids=[case[0] for case in REFUSALS])
def test_refusals_say_why_in_chinese(case: str, make: Callable[[], bytes], sent: str, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        content_suffix(make(), sent)
