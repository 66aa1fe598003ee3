"""The editable rule files behind enrichment (indexer/data/*.toml), loaded once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class OrgLevelRule:
    """One org_level value with the patterns that reveal it in a title or a text."""

    value: str
    title: re.Pattern[str] | None
    text: re.Pattern[str] | None


@dataclass(frozen=True)
class Topic:
    """A topic of the taxonomy and the keywords that reveal it."""

    name: str
    keywords: tuple[str, ...]
    in_headings: tuple[str, ...]


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


@lru_cache(maxsize=4)
def facet_rules(path: Path = DATA / "facets.toml") -> dict:
    """Parsed facets.toml with compiled patterns."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        "org_level": tuple(
            OrgLevelRule(r["value"], _compile(r.get("title")), _compile(r.get("text"))) for r in raw["org_level"]
        ),
        "period": {k: re.compile(v) for k, v in raw["period"].items()},
        "township": raw["township"],
    }


@lru_cache(maxsize=4)
def taxonomy(path: Path = DATA / "topics.toml") -> tuple[tuple[Topic, ...], int]:
    """The topics in file order and the paragraph count that gives an article a topic."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    topics = tuple(
        Topic(name, tuple(spec.get("keywords", ())), tuple(spec.get("in_headings", ())))
        for name, spec in raw["topics"].items()
    )
    return topics, int(raw.get("article_min_paragraphs", 1))
