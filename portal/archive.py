"""The archive folder (ARCHIVE_DIR) as the admin pages see it: where an article's file is, the trash.

Deleting an article means: its whole source file moves to
``ARCHIVE_DIR/.trash/<date-time>/<its path in the archive>`` and every
paragraph of that file leaves the index. A file holds one or more
articles; they go together, and the confirmation page says so. The
indexer skips hidden folders, so a re-ingest never brings a deleted file
back; moving it back out of ``.trash`` (and re-ingesting) restores it.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from flask import current_app

TRASH_NAME = ".trash"


class ArchiveUnavailable(RuntimeError):
    """ARCHIVE_DIR is not configured or not a folder; the message says which."""


def archive_root() -> Path:
    """The configured archive folder (created if its parent exists)."""
    configured = current_app.config.get("ARCHIVE_DIR")
    if not configured:
        raise ArchiveUnavailable("服务器未配置档案文件夹（ARCHIVE_DIR），上传、修改和删除不可用。")
    root = Path(configured)
    try:
        root.mkdir(exist_ok=True)
    except OSError as exc:
        raise ArchiveUnavailable(f"档案文件夹 {root} 无法使用：{exc.strerror}") from exc
    if not root.is_dir():
        raise ArchiveUnavailable(f"档案文件夹 {root} 不是文件夹。")
    return root


def file_of(source_path: str, archive: Path) -> Path | None:
    """The archive file an indexed ``source_path`` names, or None when it is not inside the archive.

    The indexer stores paths relative to its working folder (or absolute
    outside it), and the portal runs in the same folder, so the path is
    resolved the same way. Anything resolving outside the archive, or into
    a hidden folder (.trash, .portal), is refused: an admin page must never
    touch a file elsewhere on the server.
    """
    candidate = Path(source_path)
    if not candidate.is_absolute():
        candidate = Path.cwd() / candidate
    resolved = candidate.resolve()
    root = archive.resolve()
    if not resolved.is_relative_to(root):
        return None
    if any(part.startswith(".") for part in resolved.relative_to(root).parts):
        return None
    return resolved


def move_to_trash(file: Path, archive: Path) -> Path:
    """Move ``file`` under ``.trash/<date-time>/`` keeping its folders; returns its new place."""
    relative = file.resolve().relative_to(archive.resolve())
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = archive / TRASH_NAME / stamp / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(file, target)  # same file system: atomic, nothing half-moved
    return target


def restore_from_trash(trashed: Path, original: Path) -> None:
    """Undo move_to_trash (used when removing the paragraphs failed)."""
    original.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(trashed), str(original))
