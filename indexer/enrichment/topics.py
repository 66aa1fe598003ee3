"""Topics of paragraphs and articles, from the editable taxonomy (indexer/data/topics.toml)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from indexer.enrichment.keywords import KeywordGroups
from indexer.enrichment.rules import taxonomy


@lru_cache(maxsize=1)
def _scanners() -> tuple[tuple[str, ...], KeywordGroups, KeywordGroups]:
    """Topic names in taxonomy order, with scanners for their keywords and their heading words."""
    topics, _ = taxonomy()
    return (
        tuple(t.name for t in topics),
        KeywordGroups([t.keywords for t in topics]),
        KeywordGroups([t.in_headings for t in topics]),
    )


def paragraph_topics(text: str, section_path: Sequence[str]) -> list[str]:
    """Topics whose keywords occur in the paragraph, or whose heading words name its section."""
    names, keywords, _ = _scanners()
    found = keywords.present(text) | _heading_topics(" ".join(section_path))
    return [names[i] for i in sorted(found)]


@lru_cache(maxsize=256)
def _heading_topics(headings: str) -> frozenset[int]:
    """The topics the heading words of a section path name (asked again for every paragraph of the section)."""
    return frozenset(_scanners()[2].present(headings))


def article_topics(paragraph_topic_lists: Sequence[Sequence[str]]) -> list[str]:
    """Topics carried by enough of an article's paragraphs, in taxonomy order."""
    topics, minimum = taxonomy()
    counts = Counter(t for ts in paragraph_topic_lists for t in set(ts))
    return [t.name for t in topics if counts[t.name] >= minimum]
