"""From parsed paragraphs to the documents the engines index.

``analysed_documents`` is what the ingest hands to ``replace_source``: the
documents with their token views made here, on the worker process that
parsed the file, so the process writing the index segments nothing.
"""

from __future__ import annotations

import dataclasses

from engine.contract import IndexDocument
from engine.documents import analysed
from indexer.model import Article, Paragraph
from indexer.pipeline import ParsedFile

_SHARED_FIELDS = tuple(
    f.name for f in dataclasses.fields(IndexDocument) if f.name in {p.name for p in dataclasses.fields(Paragraph)}
)


def to_index_document(paragraph: Paragraph, article: Article) -> IndexDocument:
    """One paragraph with its article's facets (and where they came from), as the engines want it."""
    values = {name: getattr(paragraph, name) for name in _SHARED_FIELDS}
    values["section_path"] = tuple(paragraph.section_path)
    values["topics"] = tuple(paragraph.topics)
    return IndexDocument(**values, origins=dict(article.origins))


def index_documents(parsed: ParsedFile) -> list[IndexDocument]:
    """Every paragraph of a parsed file as an index document."""
    articles = {a.article_id: a for a in parsed.articles}
    return [to_index_document(p, articles[p.article_id]) for p in parsed.paragraphs]


def analysed_documents(parsed: ParsedFile) -> list[IndexDocument]:
    """Every paragraph of a parsed file as an index document carrying its token views (engine.documents.analysed)."""
    return [analysed(doc) for doc in index_documents(parsed)]
