"""From parsed paragraphs to the documents the engines index."""

from __future__ import annotations

from engine.contract import IndexDocument
from indexer.model import Article, Paragraph
from indexer.pipeline import ParsedFile


def to_index_document(paragraph: Paragraph, article: Article) -> IndexDocument:
    """One paragraph with its article's facets (and where they came from), as the engines want it."""
    return IndexDocument(
        paragraph_id=paragraph.paragraph_id,
        article_id=paragraph.article_id,
        position=paragraph.position,
        text=paragraph.text,
        title=paragraph.title,
        source_path=paragraph.source_path,
        source_sha256=paragraph.source_sha256,
        section_path=tuple(paragraph.section_path),
        is_heading=paragraph.is_heading,
        topics=tuple(paragraph.topics),
        quality=paragraph.quality,
        duplicate_key=paragraph.duplicate_key,
        org_level=paragraph.org_level,
        org_name=paragraph.org_name,
        township=paragraph.township,
        period=paragraph.period,
        year=paragraph.year,
        publish_date=paragraph.publish_date,
        origins=dict(article.origins),
    )


def index_documents(parsed: ParsedFile) -> list[IndexDocument]:
    """Every paragraph of a parsed file as an index document."""
    articles = {a.article_id: a for a in parsed.articles}
    return [to_index_document(p, articles[p.article_id]) for p in parsed.paragraphs]
