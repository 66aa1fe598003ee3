"""The original files behind articles: who may download them, finding them on disk, the whole file's text.

Stored source paths are relative to the folder the indexer ran in (the
service's working folder) or absolute. A file is handed out only when it
is still exactly the file that was indexed (same sha256) and is not in a
hidden folder such as the archive's ``.trash``: the index names it, so an
administrator put it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from engine.contract import IndexDocument, SearchEngine, SearchRequest
from indexer import file_sha256
from portal.auth import current_user
from portal.searching import all_hits

#: Most paragraphs the text preview reads from one file.
PREVIEW_MAX_PARAGRAPHS = 5_000


class OriginalUnavailable(LookupError):
    """The indexed file is gone or changed since it was indexed; the message says which, for the user."""


def may_download() -> bool:
    """Logged-in users may always download originals; everyone when PORTAL_PUBLIC_ORIGINALS=1."""
    return bool(current_app.config.get("PUBLIC_ORIGINALS")) or current_user() is not None


def original_path(doc: IndexDocument) -> Path:
    """The file on disk an article was read from (OriginalUnavailable when it is not the indexed file)."""
    path = Path(doc.source_path)
    if any(part.startswith(".") and part not in (".", "..") for part in path.parts):
        raise OriginalUnavailable("原文件位于隐藏文件夹（如已删除的文件），不提供下载。")
    if not path.is_file():
        raise OriginalUnavailable("原文件已不在存档中（可能已移动或删除）。")
    if doc.source_sha256 and file_sha256(path) != doc.source_sha256:
        raise OriginalUnavailable("原文件在导入之后被修改过，请重新导入后再下载。")
    return path


@dataclass(frozen=True)
class PreviewArticle:
    """One article of a file in the text preview."""

    article_id: str
    title: str
    paragraphs: list[str]


def file_text(engine: SearchEngine, source_path: str) -> list[PreviewArticle]:
    """Every article of one file, in order, as the indexer read it (headings included)."""
    hits, _total = all_hits(
        engine, SearchRequest(filters={"source": (source_path,)}, collapse=False), PREVIEW_MAX_PARAGRAPHS
    )
    article_ids = sorted({hit.article_id for hit in hits})
    out: list[PreviewArticle] = []
    for article_id in article_ids:
        docs = engine.article(article_id)
        if docs:
            out.append(PreviewArticle(article_id, docs[0].title, [d.text for d in docs]))
    return out
