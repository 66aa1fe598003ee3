"""Admitting a file into the archive: what its bytes are, whether the indexer can read it, whether it is there already.

The portal's upload form asks these questions before it keeps a file; the
answers come from the indexer, which is the one that will read the file
later. The type is judged by the bytes, never by the name: the signatures
of indexer.reading.sniff decide, and the name's extension is replaced when
it lies (a PDF called .docx is kept as .pdf, so the reader chosen later by
its suffix and by its content agree).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from pathlib import Path

from indexer.ingest import file_sha256
from indexer.pipeline import discover
from indexer.reading import UnreadableFile, read_source
from indexer.reading.encoding import BinaryContent, decode_text
from indexer.reading.sniff import Content, is_encrypted_ooxml, is_word_zip, sniff

_DOCX_SUFFIXES = (".docx", ".dotx")
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
#: How much of an unrecognised file is decoded to decide that it is text (the whole file may be large).
_TEXT_PROBE_BYTES = 1024 * 1024


class Refused(ValueError):
    """The file is not admitted; the message says why, in Chinese, for the person who sent it."""


def _has_macros(data: bytes) -> bool:
    """A Word package carrying a VBA project (.docm, or a .docx renamed from one)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(name.lower().endswith("vbaproject.bin") for name in archive.namelist())


def _keep_suffix(original: str, allowed: tuple[str, ...], default: str) -> str:
    return original if original in allowed else default


def _zip_suffix(data: bytes, original: str) -> str:
    try:
        zipfile.ZipFile(io.BytesIO(data)).close()
    except zipfile.BadZipFile as exc:
        raise Refused("无法读取此文件：压缩结构已损坏（文件不完整？）") from exc
    if not is_word_zip(data):
        raise Refused("这是一个压缩包，不是 Word 文档")
    if _has_macros(data):
        raise Refused("不接受含宏的 Word 文档（.docm），请另存为 .docx 后再上传")
    return _keep_suffix(original, _DOCX_SUFFIXES, ".docx")


def content_suffix(data: bytes, filename: str) -> str:
    """The extension the bytes deserve (the name's own when it fits them); raises Refused."""
    original = Path(filename).suffix.lower()
    content = sniff(data)
    if content is Content.PDF:
        return ".pdf"
    if content is Content.ZIP:
        return _zip_suffix(data, original)
    if content is Content.OLE:
        if is_encrypted_ooxml(data):
            raise Refused("文档设有密码，无法读取，请去掉密码后再上传")
        return _keep_suffix(original, (".doc", ".wps"), ".doc")
    if content is Content.RTF:
        return ".rtf"
    if content is Content.MHTML:
        return _keep_suffix(original, (".mht", ".mhtml"), ".mht")
    if content is Content.HTML:
        return _keep_suffix(original, (".html", ".htm"), ".html")
    try:
        decode_text(data[:_TEXT_PROBE_BYTES])
    except BinaryContent as exc:
        raise Refused("不支持的文件类型：只接受 Word、WPS、PDF、网页和纯文本文件") from exc
    return _keep_suffix(original, _TEXT_SUFFIXES, ".txt")


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
