"""Fetch paragraphs by id from the engine (for the basket export: never trust client text)."""

from __future__ import annotations

from engine.contract import IndexDocument, SearchEngine
from portal.parts import join_parts


def article_id_of(paragraph_id: str) -> str:
    """The article a paragraph belongs to: ids are ``<article_id>-<position>`` (docs/architecture.md, data model)."""
    return paragraph_id.rsplit("-", 1)[0]


def fetch_paragraphs(
    engine: SearchEngine, paragraph_ids: list[str], whole: bool = True
) -> tuple[list[IndexDocument], list[str]]:
    """The paragraphs in the order asked, and the ids no longer in the index.

    Each article is read once however many of its paragraphs are asked for.
    With ``whole`` (the default) a part of a split paragraph stands for the
    whole paragraph (portal.parts), given once however many of its parts are
    asked for; without it, each part is given as stored.
    """
    articles: dict[str, dict[str, IndexDocument]] = {}
    found: list[IndexDocument] = []
    given: set[str] = set()
    missing: list[str] = []
    for paragraph_id in paragraph_ids:
        article_id = article_id_of(paragraph_id)
        if article_id not in articles:
            articles[article_id] = _by_id(engine.article(article_id), whole)
        doc = articles[article_id].get(paragraph_id)
        if doc is None:
            missing.append(paragraph_id)
        elif doc.paragraph_id not in given:
            given.add(doc.paragraph_id)
            found.append(doc)
    return found, missing


def _by_id(docs: list[IndexDocument], whole: bool) -> dict[str, IndexDocument]:
    """Paragraphs by id; with ``whole``, every part's id names its joined paragraph."""
    if not whole:
        return {doc.paragraph_id: doc for doc in docs}
    joined = {doc.paragraph_id: doc for doc in join_parts(docs)}
    return {doc.paragraph_id: joined[doc.part_of or doc.paragraph_id] for doc in docs}
