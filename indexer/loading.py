"""From parsed paragraphs to the documents the engines index."""

from __future__ import annotations

from engine.contract import IndexDocument
from indexer.model import Paragraph


def to_index_document(paragraph: Paragraph) -> IndexDocument:
    """One paragraph with its article's facets, as the engine contract wants it."""
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
    )
