"""Topics of paragraphs and articles, from the editable taxonomy (indexer/data/topics.toml)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from indexer.enrichment.rules import taxonomy


def paragraph_topics(text: str, section_path: Sequence[str]) -> list[str]:
    """Topics whose keywords occur in the paragraph, or whose heading words name its section."""
    topics, _ = taxonomy()
    headings = " ".join(section_path)
    return [t.name for t in topics if any(k in text for k in t.keywords) or any(k in headings for k in t.in_headings)]


def article_topics(paragraph_topic_lists: Sequence[Sequence[str]]) -> list[str]:
    """Topics carried by enough of an article's paragraphs, in taxonomy order."""
    topics, minimum = taxonomy()
    counts = Counter(t for ts in paragraph_topic_lists for t in set(ts))
    return [t.name for t in topics if counts[t.name] >= minimum]
