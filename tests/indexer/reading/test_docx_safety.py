"""Hostile .docx files: XML entity tricks and zip bombs must neither expand, resolve nor exhaust memory.

The reader parses every part it reads with python-docx's parser settings,
``etree.XMLParser(resolve_entities=False)`` (indexer.reading.docx_package.PARSER;
python-docx's own in docx/oxml/parser.py and docx/opc/oxml.py; all checked
below), so entities stay unexpanded references and external ones are never
fetched. Zip bombs are refused from the declared sizes before anything is
inflated.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc import oxml as opc_oxml
from docx.oxml import parser as oxml_parser

from indexer.pipeline import parse_file
from indexer.reading import UnreadableFile, read_source
from indexer.reading.docx import MAX_COMPRESSION_RATIO, read_docx
from indexer.reading.docx_package import parse_part
from tests.indexer.reading.variants import io_bytes_of_docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the package ``data`` with part ``name`` replaced by ``content``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


def _base_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("正常段落。")
    document.core_properties.title = "正常标题"
    return io_bytes_of_docx(document)


def _document_xml(doctype: str, body_text: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}\n'
        f'<w:document xmlns:w="{W_NS}"><w:body>'
        f'<w:p><w:r><w:t xml:space="preserve">开头{body_text}结尾</w:t></w:r></w:p>'
        f"<w:p><w:r><w:t>第二段工会工作正常内容。</w:t></w:r></w:p>"
        "</w:body></w:document>"
    ).encode()


BILLION_LAUGHS = """<!DOCTYPE w:document [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def _secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("绝密口令-EXTERNAL-ENTITY-LEAK", encoding="utf-8")
    return secret


def _all_text(data: bytes) -> str:
    extracted = read_docx(data)
    return "\n".join(line.text for line in extracted.lines) + "\n" + (extracted.title or "")


def _text_or_refusal(tmp_path: Path, data: bytes) -> str:
    """Everything the indexer reads from ``data``, or its refusal reason: either way, no leak."""
    path = tmp_path / "hostile.docx"
    path.write_bytes(data)
    try:
        doc = read_source(path)
    except UnreadableFile as exc:
        return f"REFUSED: {exc.reason}"
    return "\n".join(line.text for line in doc.lines) + "\n" + (doc.title or "")


def test_python_docx_parsers_do_not_resolve_entities() -> None:
    # The guarantee the reader relies on, checked on the installed python-docx.
    probe = b'<!DOCTYPE r [<!ENTITY e "EXPANDED">]><r xmlns="urn:x">&e;</r>'
    assert "EXPANDED" not in (oxml_parser.parse_xml(probe).text or "")
    assert "EXPANDED" not in (opc_oxml.parse_xml(probe).text or "")
    assert "EXPANDED" not in (parse_part(probe).text or "")


def test_entity_expansion_in_the_body_does_not_expand(tmp_path: Path) -> None:
    data = _replace_part(_base_docx(), "word/document.xml", _document_xml(BILLION_LAUGHS, "&lol9;"))
    started = time.perf_counter()
    text = _text_or_refusal(tmp_path, data)
    assert time.perf_counter() - started < 5
    # 10^9 "lol"s would be 3 GB. libxml2 refuses the amplification outright, so the file
    # is skipped as corrupt; it is never expanded either way.
    assert text.startswith("REFUSED: corrupt or unsupported .docx") or "lol" not in text


def test_external_entity_in_the_body_is_not_resolved(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    data = _replace_part(_base_docx(), "word/document.xml", _document_xml(doctype, "&xxe;"))
    assert "EXTERNAL-ENTITY-LEAK" not in _all_text(data)
    path = tmp_path / "xxe.docx"
    path.write_bytes(data)
    assert all("EXTERNAL-ENTITY-LEAK" not in p.text for p in parse_file(path).paragraphs)


def test_external_entity_in_the_core_properties_is_not_resolved(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    core = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cp:coreProperties [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>标题&xxe;</dc:title></cp:coreProperties>'
    ).encode()
    data = _replace_part(_base_docx(), "docProps/core.xml", core)
    assert "EXTERNAL-ENTITY-LEAK" not in _all_text(data)


def test_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "DTD-WAS-LOADED">', encoding="utf-8")
    doctype = f'<!DOCTYPE w:document SYSTEM "file://{dtd}">'
    data = _replace_part(_base_docx(), "word/document.xml", _document_xml(doctype, "&leak;"))
    # Without the DTD, &leak; is undefined: the file is refused rather than read with the DTD.
    assert "DTD-WAS-LOADED" not in _text_or_refusal(tmp_path, data)


def test_a_highly_compressed_part_under_the_size_limit_is_refused(tmp_path: Path) -> None:
    # 40 MB of nothing but spaces inside the body: under the 50 MB part limit, but ~1000:1.
    padding = b" " * (40 * 1024 * 1024)
    bomb = _document_xml("", "").replace(b"<w:body>", b"<w:body>" + padding)
    data = _replace_part(_base_docx(), "word/document.xml", bomb)
    assert len(data) < 200 * 1024
    path = tmp_path / "ratio.docx"
    path.write_bytes(data)
    with pytest.raises(
        UnreadableFile, match=rf"suspicious compression: word/document.xml .*limit {MAX_COMPRESSION_RATIO}"
    ):
        read_source(path)


def test_a_zip_whose_headers_lie_about_the_size_is_refused_without_inflating(tmp_path: Path) -> None:
    real = _document_xml("", "工会" * 1000).replace(b"<w:body>", b"<w:body>" + b" " * (30 * 1024 * 1024))
    data = bytearray(_replace_part(_base_docx(), "word/document.xml", real))
    # Declare 4 KB in the local header and the central directory: the guards see a small part.
    name = b"word/document.xml"
    patched = 0
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            if bytes(data[start + name_offset : start + name_offset + name_length]) == name:
                struct.pack_into("<I", data, start + size_offset, 4096)
                patched += 1
            start += 4
    assert patched == 2
    # zipfile stops at the declared 4 KB and then fails the CRC check: refused, never inflated.
    assert _text_or_refusal(tmp_path, bytes(data)).startswith("REFUSED: corrupt or unsupported .docx (BadZipFile)")


def test_too_many_parts_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_base_docx())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for number in range(10_001):
            target.writestr(f"extra/item{number}.xml", b"<a/>")
    with pytest.raises(UnreadableFile, match="too many parts"):
        read_docx(out.getvalue())
