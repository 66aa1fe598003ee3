"""Uploaded files: what they really are, what they may be called, and where they go.

An upload is judged by its bytes, never by its name: the indexer decides
the type (indexer.content_suffix), the file name's extension is replaced
when it lies, and the file is read once with the indexer's own reader
(zip-bomb and XML-entity guards included) before it is kept.
Names keep their Chinese characters but lose everything that could climb
out of the archive folder, hide the file, spoof its extension or be read
back as a glob pattern; a name already taken gets " (2)", " (3)" … and a
file is never overwritten (it is published with a hard link, which fails
rather than replace). A file whose bytes are already in the archive is not
stored twice.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, request

import indexer

#: Endpoints that accept a large body (everything else keeps the small default).
UPLOAD_ENDPOINTS = frozenset({"admin.upload"})
#: Room for the multipart framing and the other form fields around the files.
FORM_OVERHEAD_BYTES = 64 * 1024
#: File names are cut to this many characters (before the extension) …
MAX_STEM_CHARS = 80
#: … and to this many UTF-8 bytes in all (ext4 allows 255; a Chinese character takes 3).
MAX_NAME_BYTES = 200
MAX_FOLDER_DEPTH = 4
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\[\]]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


class UploadRejected(ValueError):
    """The upload is refused; the message says why, in Chinese, for the user."""


class AlreadyInArchive(UploadRejected):
    """The same bytes are already in the archive (the message names the file)."""


@dataclass(frozen=True)
class Stored:
    """A file kept in the archive."""

    path: Path
    relative: str


def content_suffix(data: bytes, filename: str) -> str:
    """The extension the bytes deserve (the name's own when it fits them); raises UploadRejected.

    The indexer decides (indexer.content_suffix): it is the one that reads the file later.
    """
    try:
        return indexer.content_suffix(data, filename)
    except indexer.Refused as exc:
        raise UploadRejected(str(exc)) from exc


def _clean_component(raw: str) -> str:
    """One file or folder name: no separators, controls, bidi tricks, hidden or option-like starts."""
    text = unicodedata.normalize("NFC", raw)
    # Cc: controls; Cf: invisible formatting, including U+202E which shows "gpj.exe" as "exe.jpg".
    text = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    text = _FORBIDDEN.sub("_", text)
    text = " ".join(text.split())
    # Leading dots hide a file (and ".." climbs); = + - @ start a formula in metadata.csv.
    text = text.lstrip(" ._-=+@").rstrip(" .")
    if _WINDOWS_RESERVED.match(text):
        text = f"_{text}"
    return text


def _fit(stem: str, suffix: str) -> str:
    stem = stem[:MAX_STEM_CHARS]
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(" .") or "未命名"


def safe_filename(raw: str, suffix: str) -> str:
    """A file name for ``raw`` (as the browser sent it) ending in ``suffix``, safe to create in the archive.

    >>> safe_filename("C:\\\\Users\\\\王\\\\..\\\\东山镇2023年总结.doc", ".docx")
    '东山镇2023年总结.docx'
    """
    base = re.split(r"[/\\]", raw)[-1]  # some browsers send the whole client path
    original = Path(base).suffix
    stem = base[: -len(original)] if original and len(original) <= 6 else base
    return _fit(_clean_component(stem), suffix) + suffix


def safe_folder(raw: str) -> tuple[str, ...]:
    """The optional sub-folder an upload goes to (``东山镇/2023``), as clean components."""
    parts = [_clean_component(part) for part in re.split(r"[/\\]", raw or "")]
    parts = [_fit(part, "") for part in parts if part]
    if len(parts) > MAX_FOLDER_DEPTH:
        raise UploadRejected(f"子文件夹最多 {MAX_FOLDER_DEPTH} 层")
    return tuple(parts)


def find_same_file(archive: Path, data: bytes) -> Path | None:
    """An archive file with exactly these bytes (only files of the same size are hashed)."""
    return indexer.same_file(archive, data)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def store_upload(archive: Path, incoming: Path, filename: str, folder: str, data: bytes) -> Stored:
    """Check ``data`` and keep it in the archive under a safe, unused name; returns where.

    Raises UploadRejected (with the reason) for a type we do not take, a
    file the indexer cannot read, or a file already in the archive. The
    caller holds the ingest lock, so two uploads of one file cannot both pass
    the duplicate check.
    """
    if not data:
        raise UploadRejected("文件是空的")
    suffix = content_suffix(data, filename)
    same = find_same_file(archive, data)
    if same is not None:
        raise AlreadyInArchive(f"该文件已在档案中：{same.relative_to(archive).as_posix()}，未重复保存")
    target_dir = archive.joinpath(*safe_folder(folder))
    if not _inside(target_dir, archive):  # a symlinked folder inside the archive pointing elsewhere
        raise UploadRejected("子文件夹不在档案文件夹之内")
    incoming.mkdir(parents=True, exist_ok=True)
    tmp = incoming / f"upload-{uuid.uuid4().hex}{suffix}"
    try:
        tmp.write_bytes(data)
        try:
            indexer.check_readable(tmp)  # the indexer's own reader: zip-bomb and XML guards, encodings
        except indexer.Refused as exc:
            raise UploadRejected(str(exc)) from exc
        target_dir.mkdir(parents=True, exist_ok=True)
        name = safe_filename(filename, suffix)
        stem = name[: -len(suffix)]
        for number in range(1, 1000):
            candidate = target_dir / (name if number == 1 else f"{stem} ({number}){suffix}")
            try:
                _publish(tmp, candidate, data)
            except FileExistsError:
                continue
            return Stored(candidate, candidate.relative_to(archive).as_posix())
        raise UploadRejected("同名文件过多，请改名后再上传")
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _publish(tmp: Path, target: Path, data: bytes) -> None:
    """Give the checked file its final name; FileExistsError if the name is taken (never overwrite).

    A hard link makes the whole file appear at once. Where the archive cannot
    hold hard links (a Windows share, another file system than the work
    folder), the file is created exclusively and written in place instead.
    """
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass  # EXDEV, EPERM, ENOTSUP …: fall back to an exclusive create
    with open(target, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def apply_body_limit() -> None:
    """before_request: uploads may send UPLOAD_MAX_BYTES; every other request keeps MAX_CONTENT_LENGTH."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = int(current_app.config["UPLOAD_MAX_BYTES"]) + FORM_OVERHEAD_BYTES


def init_app(app: Flask) -> None:
    """Register the body limit first: it must be set before anything reads the body."""
    app.before_request(apply_body_limit)
