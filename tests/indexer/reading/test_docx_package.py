"""The package reader finds the parts python-docx would, and refuses or falls back where python-docx did.

Each package below is opened both ways: python-docx's ``OpcPackage.open`` (what
the reader used to do) and :func:`find_parts`. Either both fail alike, or
they name the same main document, styles, numbering and core properties.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage

from indexer.reading import docx_package
from indexer.reading.docx import read_docx
from indexer.reading.docx_package import MissingPart, find_parts
from tests.indexer.reading.test_docx import p, with_body
from tests.indexer.reading.variants import add_list_definition, io_bytes_of_docx

DOC_RELS = "word/_rels/document.xml.rels"
STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
Rewrite = Callable[[str, bytes], bytes | None]


def _base() -> bytes:
    document = docx.Document()
    document.core_properties.title = "标题"
    document.add_heading("一、概况", level=1)
    document.add_paragraph("正文。")
    document.sections[0].header.paragraphs[0].text = "页眉"
    return io_bytes_of_docx(document)


def _rewrite(data: bytes, change: Rewrite, extra: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info.filename, content)
        for name, content in extra:
            target.writestr(name, content)
    return out.getvalue()


def _in(name: str, old: bytes, new: bytes) -> Rewrite:
    return lambda part, content: content.replace(old, new) if part == name else content


def _add_doc_rel(rel: bytes) -> Rewrite:
    return _in(DOC_RELS, b"</Relationships>", rel + b"</Relationships>")


def _drop(name: str) -> Rewrite:
    return lambda part, content: None if part == name else content


def _as_python_docx_opens_it(data: bytes) -> tuple[str, ...]:
    """("parts", main, styles, numbering, core) as python-docx finds them, or how it fails."""
    try:
        package = OpcPackage.open(io.BytesIO(data))
    except KeyError:
        return ("fallback",)
    except Exception as exc:
        return ("error", type(exc).__name__)
    try:
        main = package.main_document_part
    except KeyError:
        return ("no document",)

    def related(source: object, reltype: str) -> str:
        try:
            return str(source.part_related_by(reltype).partname)  # type: ignore[attr-defined]
        except KeyError:
            return ""

    try:
        has_core = any(rel.reltype == RT.CORE_PROPERTIES for rel in package.rels.values())
        core = related(package, RT.CORE_PROPERTIES) if has_core else ""
        return ("parts", str(main.partname), related(main, RT.STYLES), related(main, RT.NUMBERING), core)
    except ValueError:
        return ("error", "ValueError")


def _as_found(data: bytes) -> tuple[str, ...]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            parts = find_parts(archive)
        except MissingPart:
            return ("fallback",)
        except Exception as exc:
            return ("error", type(exc).__name__)
        if parts.document is None:
            return ("no document",)
        by_content = {archive.read(name): f"/{name}" for name in archive.namelist()}
    blobs = (parts.document, parts.styles, parts.numbering, parts.core)
    return ("parts", *(by_content.get(blob, "") if blob is not None else "" for blob in blobs))


BASE = _base()
PACKAGES: dict[str, bytes] = {
    "plain": BASE,
    "duplicate styles relationship": _rewrite(
        BASE, _add_doc_rel(f'<Relationship Id="rId99" Type="{STYLES_REL}" Target="styles.xml"/>'.encode())
    ),
    "a repeated Id replaces the earlier relationship": _rewrite(
        BASE, _add_doc_rel(f'<Relationship Id="rId1" Type="{STYLES_REL}" Target="styles.xml"/>'.encode())
    ),
    "external styles": _rewrite(
        BASE,
        lambda part, content: (
            re.sub(
                rb'(relationships/styles" Target=")styles.xml"',
                rb'\1http://example.com/s.xml" TargetMode="External"',
                content,
            )
            if part == DOC_RELS
            else content
        ),
    ),
    "relationship to the package root": _rewrite(
        BASE, _add_doc_rel(b'<Relationship Id="rId98" Type="urn:x" Target="/"/>')
    ),
    "part without a content type": _rewrite(
        BASE, _add_doc_rel(b'<Relationship Id="rId97" Type="urn:x" Target="extra.bin"/>'), (("word/extra.bin", b"x"),)
    ),
    "content type by extension, any case": _rewrite(
        BASE,
        lambda part, content: (
            content.replace(b"<Default ", b'<Default Extension="PNG" ContentType="image/png"/><Default ', 1)
            if part == "[Content_Types].xml"
            else _add_doc_rel(b'<Relationship Id="rId97" Type="urn:x" Target="media/a.png"/>')(part, content)
        ),
        (("word/media/a.png", b"\x89PNG"),),
    ),
    "dangling core properties": _rewrite(BASE, _drop("docProps/core.xml")),
    "no content types": _rewrite(BASE, _drop("[Content_Types].xml")),
    "no package relationships": _rewrite(BASE, _drop("_rels/.rels")),
    "malformed header": _rewrite(BASE, lambda part, content: b"<w:hdr" if part.startswith("word/header") else content),
    "malformed font table (kept as bytes)": _rewrite(
        BASE, lambda part, content: b"<w:fonts" if part == "word/fontTable.xml" else content
    ),
    "malformed relationships": _rewrite(BASE, lambda part, content: b"<Rel" if part == DOC_RELS else content),
    "macro-enabled main part": _rewrite(
        BASE,
        _in("[Content_Types].xml", b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"),
    ),
}


@pytest.mark.parametrize("name", PACKAGES)
def test_finds_what_python_docx_finds(name: str) -> None:
    data = PACKAGES[name]
    assert _as_found(data) == _as_python_docx_opens_it(data)


def test_the_cases_cover_every_outcome() -> None:
    outcomes = {_as_python_docx_opens_it(data)[0] for data in PACKAGES.values()}
    assert outcomes == {"parts", "fallback", "error", "no document"}


def test_documents_sharing_cached_styles_and_numbering_keep_their_own_counters() -> None:
    document = docx.Document()
    add_list_definition(
        document,
        77,
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/>'
        '<w:lvlText w:val="%1、"/></w:lvl>',
    )
    item = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="77"/></w:numPr>'
    data = with_body(p("概况", item) + p("成效", item), document)
    first, second = read_docx(data), read_docx(data)
    assert [line.text for line in first.lines] == ["一、概况", "二、成效"]
    assert second.lines == first.lines


def test_parts_too_large_to_cache_are_read_all_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = read_docx(BASE)
    monkeypatch.setattr(docx_package, "CACHED_PART_BYTES", 0)
    assert read_docx(BASE) == cached
