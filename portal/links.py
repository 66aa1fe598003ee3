"""Absolute portal addresses of paragraphs, for exports that leave the browser (Word, text, CSV)."""

from __future__ import annotations

from flask import url_for

from portal.export import Exportable


def paragraph_link(doc: Exportable) -> str:
    """The article page at this paragraph, as a full address a Word reader can click."""
    url = url_for("article.show", article_id=doc.article_id, p=doc.paragraph_id, _external=True)
    return f"{url}#p-{doc.paragraph_id}"
