"""Admitting a file into the archive: what its bytes are, whether the indexer can read it, whether it is there already.

The portal's upload form asks these questions before it keeps a file; the
answers come from the indexer, which is the one that will read the file
later. The type is judged by the bytes, never by the name:
indexer.reading.content_format decides, as it does when the file is read,
and the name's extension is replaced when it lies (a PDF called .docx is
kept as .pdf, so the reader chosen later by its suffix and by its content
agree).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from pathlib import Path

from indexer.ingest import file_sha256
from indexer.pipeline import discover
from indexer.reading import (
    FORMAT_SUFFIXES,
    NotADocument,
    PasswordProtected,
    UnreadableFile,
    content_format,
    read_source,
)
from indexer.reading.encoding import BinaryContent, decode_text

#: How much of an unrecognised file is decoded to decide that it is text (the whole file may be large).
_TEXT_PROBE_BYTES = 1024 * 1024
# A macro-free .docm is kept as .docx: no name in the archive says "macros inside".
_NEVER_KEPT = frozenset({".docm"})
# Where packages keep macros: VBA in Word (any folder), Basic and scripts in OpenDocument.
_MACRO_PARTS = ("vbaproject.bin",)
_MACRO_FOLDERS = ("basic/", "scripts/")


class Refused(ValueError):
    """The file is not admitted; the message says why, in Chinese, for the person who sent it."""


_DAMAGED = "无法读取此文件：压缩结构已损坏（文件不完整？）"
_MACROS = {
    "docx": "不接受含宏的 Word 文档（.docm），请另存为 .docx 后再上传",
    "odt": "不接受含宏的 OpenDocument 文档，请删除宏后另存为 .odt 再上传",
}


def _refuse_macros(data: bytes, fmt: str) -> None:
    """Refuse a Word or OpenDocument package carrying macros (.docm, or a .docx renamed from one)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [name.lower() for name in archive.namelist()]
    except zipfile.BadZipFile as exc:
        raise Refused(_DAMAGED) from exc
    if any(name.endswith(_MACRO_PARTS) or name.startswith(_MACRO_FOLDERS) for name in names):
        raise Refused(_MACROS[fmt])


def _zip_refusal(data: bytes) -> str:
    """Why a zip archive that is no document is refused: damaged, or simply not a document."""
    try:
        zipfile.ZipFile(io.BytesIO(data)).close()
    except zipfile.BadZipFile:
        return _DAMAGED
    return "这是一个压缩包，不是 Word 文档"


def _format(data: bytes) -> str:
    """The format the indexer will read these bytes as (the name left out); raises Refused."""
    try:
        return content_format(data)
    except PasswordProtected as exc:
        raise Refused("文档设有密码，无法读取，请去掉密码后再上传") from exc
    except NotADocument as exc:
        raise Refused(_zip_refusal(data)) from exc
    except UnreadableFile as exc:
        raise Refused(f"无法读取此文件：{exc.reason}") from exc


def content_suffix(data: bytes, filename: str) -> str:
    """The extension the bytes deserve (the name's own when it fits them); raises Refused."""
    fmt = _format(data)
    if fmt in _MACROS:
        _refuse_macros(data, fmt)
    if fmt == "txt":
        try:
            decode_text(data[:_TEXT_PROBE_BYTES])
        except BinaryContent as exc:
            raise Refused("不支持的文件类型：只接受 Word、WPS、PDF、网页和纯文本文件") from exc
    original = Path(filename).suffix.lower()
    suffixes = FORMAT_SUFFIXES[fmt]
    return original if original in suffixes and original not in _NEVER_KEPT else suffixes[0]


def check_readable(path: Path) -> None:
    """Read ``path`` with the indexer's own reader (zip-bomb and XML guards, encodings); raises Refused."""
    try:
        read_source(path)
    except UnreadableFile as exc:
        raise Refused(f"无法读取此文件：{exc.reason}") from exc


def same_file(archive: Path, data: bytes) -> Path | None:
    """An archive file with exactly these bytes, as the indexer finds files (only same-size files are hashed)."""
    digest, size = hashlib.sha256(data).hexdigest(), len(data)
    for path, _ in discover([archive]):
        with contextlib.suppress(OSError):
            if path.stat().st_size == size and file_sha256(path) == digest:
                return path
    return None
