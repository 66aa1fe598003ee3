"""Fetch paragraphs by id from the engine (for the basket export: never trust client text)."""

from __future__ import annotations

from engine.contract import IndexDocument, SearchEngine


def article_id_of(paragraph_id: str) -> str:
    """The article a paragraph belongs to: ids are ``<article_id>-<position>`` (DESIGN.md, data model)."""
    return paragraph_id.rsplit("-", 1)[0]


def fetch_paragraphs(engine: SearchEngine, paragraph_ids: list[str]) -> tuple[list[IndexDocument], list[str]]:
    """The paragraphs in the order asked, and the ids no longer in the index.

    Each article is read once however many of its paragraphs are asked for.
    """
    articles: dict[str, dict[str, IndexDocument]] = {}
    found: list[IndexDocument] = []
    missing: list[str] = []
    for paragraph_id in paragraph_ids:
        article_id = article_id_of(paragraph_id)
        if article_id not in articles:
            articles[article_id] = {doc.paragraph_id: doc for doc in engine.article(article_id)}
        doc = articles[article_id].get(paragraph_id)
        if doc is None:
            missing.append(paragraph_id)
        else:
            found.append(doc)
    return found, missing
