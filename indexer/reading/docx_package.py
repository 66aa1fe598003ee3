"""The parts of a Word package that the .docx reader uses, found as python-docx finds them.

python-docx's ``OpcPackage.open`` inflates every part and parses every XML part
before anything can be read: for a document made from Word's blank template that
is 800 KB of style definitions (styles.xml, stylesWithEffects.xml), most of the
cost of reading it. This module walks the same relationship graph by the same
rules, so that the same part is the main document, the same packages fall back
to the usual part names (a relationship to a missing part, a part without a
content type) and the same malformed XML parts refuse the file; but it inflates
only the parts the reader uses and the XML parts python-docx would have parsed.

Not mirrored: python-docx also inflated the parts it keeps as opaque bytes
(images, fonts, stylesWithEffects.xml), so a package whose unused binary part is
corrupt used to be refused and is now read.
"""

from __future__ import annotations

import functools
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from docx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import PartFactory, XmlPart
from lxml import etree

#: python-docx's parser settings, without its element classes: entities stay unexpanded
#: references (no billion laughs, no external entities) and nothing is fetched.
PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)

_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
CONTENT_TYPES = "[Content_Types].xml"
#: Content types of the parts python-docx parses on opening (those it loads as XmlPart).
_PARSED_ON_OPEN = frozenset(ct for ct, cls in PartFactory.part_type_for.items() if issubclass(cls, XmlPart))


#: Parts up to this size are remembered by content; larger ones are read every time, so
#: that what the caches hold stays small whatever files are uploaded.
CACHED_PART_BYTES = 1024 * 1024
T = TypeVar("T")


def parse_part(blob: bytes) -> Any:
    """Parse one XML part safely (the parser python-docx uses)."""
    return etree.fromstring(blob, PARSER)


def cached_by_content(read: Callable[[bytes], T]) -> Callable[[bytes], T]:
    """``read`` remembering its results for the last few parts of up to CACHED_PART_BYTES.

    Documents made from one template (most of an archive) carry the same styles and
    numbering parts, and styles are the most expensive part to parse. ``read`` must be
    a pure function of the bytes and its result must never be changed by callers.
    """
    cached = functools.lru_cache(maxsize=8)(read)

    @functools.wraps(read)
    def read_part(blob: bytes) -> T:
        return cached(blob) if len(blob) <= CACHED_PART_BYTES else read(blob)

    return read_part


class MissingPart(Exception):
    """A relationship names a part the zip lacks, or a part has no content type.

    python-docx fails to open such a package (KeyError); the reader then reads
    the usual part names directly, as Word opens such files.
    """


@dataclass(frozen=True)
class _Rel:
    rel_id: str | None
    reltype: str | None
    target: str  # a part name ("/word/styles.xml") or, for an external target, its URI
    external: bool


@dataclass(frozen=True)
class WordParts:
    """The raw XML of the parts the reader uses; ``None`` where the package has no such part."""

    document: bytes | None
    styles: bytes | None
    numbering: bytes | None
    core: bytes | None


class _Package:
    """The relationship graph of one package, walked as python-docx's PackageReader walks it."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._names = set(archive.namelist())
        if CONTENT_TYPES not in self._names:
            raise MissingPart(CONTENT_TYPES)
        types = parse_part(archive.read(CONTENT_TYPES))
        # Looked up without regard to case, as python-docx's CaseInsensitiveDict does.
        self._overrides = {o.get("PartName").lower(): o.get("ContentType") for o in types.findall(f"{_CT}Override")}
        self._defaults = {d.get("Extension").lower(): d.get("ContentType") for d in types.findall(f"{_CT}Default")}
        self.rels: dict[str, list[_Rel]] = {"/": self._read_rels("/")}
        self.parts: dict[str, tuple[str, str | None]] = {}  # part name → (content type, first reltype)
        self._visited: set[str] = set()
        self._walk(self.rels["/"])

    def _read_rels(self, partname: str) -> list[_Rel]:
        base, filename = posixpath.split(partname)
        member = posixpath.join(base, "_rels", f"{filename}.rels")[1:]
        if member not in self._names:
            return []
        rels = []
        for element in parse_part(self._archive.read(member)).findall(_RELS):
            external = element.get("TargetMode", RTM.INTERNAL) == RTM.EXTERNAL
            target = element.get("Target")
            if not external:
                target = posixpath.abspath(posixpath.join(base, target))
            rels.append(_Rel(element.get("Id"), element.get("Type"), target, external))
        return rels

    def _walk(self, rels: list[_Rel]) -> None:
        # Depth first, in document order, each part once: python-docx's order, so that the
        # first reltype to reach a part (which picks its part class) is the same.
        for rel in rels:
            if rel.external or rel.target in self._visited:
                continue
            self._visited.add(rel.target)
            self.rels[rel.target] = self._read_rels(rel.target)
            if rel.target[1:] not in self._names:
                raise MissingPart(rel.target)
            self.parts[rel.target] = (self._content_type(rel.target), rel.reltype)
            self._walk(self.rels[rel.target])

    def _content_type(self, partname: str) -> str:
        content_type = self._overrides.get(partname.lower())
        if content_type is None:
            ext = posixpath.splitext(partname)[1]
            content_type = self._defaults.get((ext[1:] if ext.startswith(".") else ext).lower())
        if content_type is None:
            raise MissingPart(partname)
        return content_type

    def relationships(self, source: str) -> list[_Rel]:
        """The relationships of a part ("/" for the package) as python-docx keeps them: a repeated Id once, the last."""
        return list({rel.rel_id: rel for rel in self.rels.get(source, [])}.values())

    def related(self, source: str, reltype: str) -> str | None:
        """The part that ``source`` relates to by ``reltype``; ValueError where python-docx raises one."""
        matching = [rel for rel in self.relationships(source) if rel.reltype == reltype]
        if not matching:
            return None
        if len(matching) > 1:
            raise ValueError(f"multiple relationships of type {reltype!r}")
        if matching[0].external:
            raise ValueError(f"relationship of type {reltype!r} points outside the package")
        return matching[0].target

    def read(self, partname: str | None) -> bytes | None:
        """The bytes of a part, or None for no part."""
        return None if partname is None else self._archive.read(partname[1:])

    def check_parsed_parts(self, skip: set[str | None]) -> None:
        """Parse the XML parts python-docx parses on opening (except ``skip``): malformed ones refuse the file."""
        for partname, (content_type, reltype) in self.parts.items():
            if partname not in skip and content_type in _PARSED_ON_OPEN and reltype != RT.IMAGE:
                parse_part(self._archive.read(partname[1:]))


def find_parts(archive: zipfile.ZipFile) -> WordParts:
    """The main document, its styles and numbering and the core properties; raises MissingPart."""
    package = _Package(archive)
    document = package.related("/", RT.OFFICE_DOCUMENT)
    if document is None:
        package.check_parsed_parts(set())
        return WordParts(None, None, None, None)
    styles = package.related(document, RT.STYLES)
    numbering = package.related(document, RT.NUMBERING)
    core = package.related("/", RT.CORE_PROPERTIES)
    # The reader parses these four itself; every other XML part is parsed here only to refuse
    # the malformed ones, as python-docx did.
    package.check_parsed_parts({document, styles, numbering, core})
    return WordParts(package.read(document), package.read(styles), package.read(numbering), package.read(core))
