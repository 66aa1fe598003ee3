"""An article's text as the facet rules read it: folded once, with the superiors masked.

Built once per article and shared by every facet, so the body is folded and scanned
for superior spans once rather than by each rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from indexer.enrichment.rules import facet_rules
from indexer.folding import fold

#: How much of the body counts as its opening (where the writer names itself).
OPENING_CHARS = 160
#: A masked span is replaced by this character, which no cue contains.
MASK = "|"


@dataclass(frozen=True)
class ArticleText:
    """The folded title, body paragraphs and sign-off of one article."""

    title: str
    paragraphs: tuple[str, ...]

    @classmethod
    def of(cls, title: str, texts: list[str]) -> ArticleText:
        """Fold the title and each paragraph (the fold of each is cached by indexer.folding)."""
        return cls(fold(title or ""), tuple(fold(t) for t in texts if t))

    @cached_property
    def body(self) -> str:
        """The paragraphs joined by line breaks (a cue never spans two paragraphs)."""
        return "\n".join(self.paragraphs)

    @cached_property
    def opening(self) -> str:
        """The start of the body, where a summary names its writer (横河镇工会在…)."""
        return self.body[:OPENING_CHARS]

    @cached_property
    def masked(self) -> str:
        """The body with spans naming superiors, patrons and units helped blanked out."""
        return _mask(self.body)

    @cached_property
    def signoff(self) -> str:
        """The closing line when it is short enough to be a unit's name and a date, else ""."""
        limit = facet_rules()["writer"]["signoff_max_chars"]
        for text in reversed(self.paragraphs[-2:]):
            if text.strip() and len(text) <= limit:
                return text
        return ""


def _mask(text: str) -> str:
    """Replace each superior span with MASK characters of the same length (offsets stay valid)."""
    superior = facet_rules()["writer"]["superior"]
    parts: list[str] = []
    cursor = 0
    for match in superior.finditer(text):
        parts.append(text[cursor : match.start()])
        parts.append(MASK * (match.end() - match.start()))
        cursor = match.end()
    parts.append(text[cursor:])
    return "".join(parts)
