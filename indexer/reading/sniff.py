"""What the bytes are, whatever the file is called.

Archives are full of misnamed files: template sites serve HTML or RTF as .doc, users
rename .docx to .doc, Word saves "single file web pages" with any extension. Only
signatures that cannot occur at the start of real text are trusted here.
"""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum


class Content(StrEnum):
    """The container a file's bytes are, as far as the first bytes tell."""

    PDF = "pdf"
    ZIP = "zip"
    OLE = "ole"  # OLE2 compound file: Word 97–2003, WPS, or an encrypted OOXML file
    RTF = "rtf"
    MHTML = "mhtml"
    HTML = "html"
    UNKNOWN = "unknown"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # stream name, as stored
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<meta", b"<body")
# An OpenDocument package stores its media type first, uncompressed (ODF 1.2, 3.3).
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"


def sniff(data: bytes) -> Content:
    """Classify ``data`` by its signature; UNKNOWN means "go by the file name"."""
    # PDF allows junk before the header, within the first 1024 bytes.
    if b"%PDF-" in data[:1024]:
        return Content.PDF
    if data.startswith(b"PK\x03\x04"):
        return Content.ZIP
    if data.startswith(_OLE_MAGIC):
        return Content.OLE
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{\\rtf"):
        return Content.RTF
    if b"mime-version:" in head and b"multipart/related" in head:
        return Content.MHTML
    if head.startswith(_HTML_STARTS) or (head.startswith(b"<") and b"<html" in head[:1024]):
        return Content.HTML
    return Content.UNKNOWN


def is_word_zip(data: bytes) -> bool:
    """A zip archive that holds a WordprocessingML document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist() or "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def is_odt_package(data: bytes) -> bool:
    """A zip archive that is an OpenDocument text (its first entry names the media type)."""
    return data.startswith(b"PK\x03\x04") and _ODT_MIMETYPE in data[:100]


def is_encrypted_ooxml(data: bytes) -> bool:
    """A password-protected .docx is an OLE file holding an "EncryptedPackage" stream."""
    return data.startswith(_OLE_MAGIC) and _ENCRYPTED_PACKAGE in data
