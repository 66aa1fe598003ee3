"""Generated .docx files: python-docx's blank document with new paragraphs, fast and reproducible."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape as xml_escape

_DOS_TIME, _DOS_DATE = 0, (2020 - 1980) << 9 | 1 << 5 | 1  # 2020-01-01 00:00:00
_W_BODY = re.compile(r"<w:body>.*?(?=<w:sectPr)", re.DOTALL)


class _DocxTemplate:
    """python-docx's own blank document, its constant parts compressed once.

    Saving through python-docx costs ~50 ms a file (it re-deflates its 800 KB
    of style parts every time), too slow for tens of thousands of files. The
    package written here is python-docx's, part for part; only
    word/document.xml is new per file, and the zip is assembled directly with
    fixed dates so the same lines always give the same bytes.
    """

    def __init__(self) -> None:
        import datetime

        import docx

        document = docx.Document()
        document.core_properties.created = datetime.datetime(2020, 1, 1)
        document.core_properties.modified = datetime.datetime(2020, 1, 1)
        document.core_properties.last_modified_by = "bench"
        document.core_properties.author = "bench"
        document.add_paragraph("PLACEHOLDER")
        raw = io.BytesIO()
        document.save(raw)
        self.parts: list[tuple[str, bytes | None]] = []
        with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as package:
            for info in package.infolist():
                data = package.read(info.filename)
                if info.filename == "word/document.xml":
                    self.document_xml = data.decode("utf-8")
                    self.parts.append((info.filename, None))
                else:
                    self.parts.append((info.filename, data))
        self._compressed = {name: _deflated(data) for name, data in self.parts if data is not None}

    def build(self, lines: list[str], title_style: bool) -> bytes:
        """The .docx bytes of ``lines``, the first in the Title style when ``title_style``."""
        paragraphs = []
        for i, line in enumerate(lines):
            style = '<w:pPr><w:pStyle w:val="Title"/></w:pPr>' if i == 0 and title_style else ""
            paragraphs.append(f'<w:p>{style}<w:r><w:t xml:space="preserve">{xml_escape(line)}</w:t></w:r></w:p>')
        body = "<w:body>" + "".join(paragraphs)
        xml = _W_BODY.sub(lambda _m: body, self.document_xml, count=1).encode("utf-8")
        entries = [(name, self._compressed[name] if data is not None else _deflated(xml)) for name, data in self.parts]
        return _zip(entries)


def _deflated(data: bytes) -> tuple[int, int, bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return zlib.crc32(data), len(data), packed


def _zip(entries: list[tuple[str, tuple[int, int, bytes]]]) -> bytes:
    """A zip archive of already deflated entries (the subset of the format Word and zipfile read)."""
    out = io.BytesIO()
    central = []
    for name, (crc, size, packed) in entries:
        encoded = name.encode("utf-8")
        offset = out.tell()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, len(packed), size, len(encoded), 0
        )
        out.write(header + encoded + packed)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                _DOS_TIME,
                _DOS_DATE,
                crc,
                len(packed),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), start, 0))
    return out.getvalue()


_TEMPLATE: _DocxTemplate | None = None


def docx_bytes(lines: list[str], title_style: bool) -> bytes:
    """A .docx of the lines (first in the Title style or plain), byte-for-byte reproducible."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = _DocxTemplate()
    return _TEMPLATE.build(lines, title_style)
