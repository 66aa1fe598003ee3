"""An article's text as the facet rules read it: folded once, with the superiors masked.

Built once per article and shared by every facet, so the body is folded and scanned
for superior spans once rather than by each rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from indexer.enrichment.rules import LiteralCounts, facet_rules
from indexer.folding import fold

#: How much of the body counts as its opening (where the writer names itself).
OPENING_CHARS = 160
#: A masked span is replaced by this character, which no cue contains.
MASK = "|"
#: How many leading paragraphs may be title lines, and how long a title line may be.
TITLE_LINES = 3
TITLE_MAX_CHARS = 48
_SENTENCE = re.compile(r"[。!?;]|[,:](?=.{12,})")
_GENRE_WORD = re.compile(r"总结|计划|要点|讲话|发言|主持词|汇报|报告|述职|纪实|简报|通知|材料|小结|范文")


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
    def title_lines(self) -> tuple[str, ...]:
        """Lines at the top of the body that are titles, not text (2021年某某工会工作总结, 篇一 …).

        Pages repeat their title, or carry it as the first line when the splitter found
        none; such a line is read as the title, and its year is only a label.
        """
        return tuple(p for p in self.paragraphs[:TITLE_LINES] if looks_like_title(p))

    @cached_property
    def heads(self) -> str:
        """The title and the title lines, where the title cue families look."""
        return "\n".join((self.title, *self.title_lines)) if self.title_lines else self.title

    @cached_property
    def text_only(self) -> str:
        """The body without its title lines: what the year votes read."""
        if not self.title_lines:
            return self.body
        return "\n".join(p for p in self.paragraphs if p not in self.title_lines)

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
    def body_counts(self) -> LiteralCounts:
        """The literal cues' counts in the body, the cues that occur found in one scan."""
        return LiteralCounts(self.body, facet_rules()["literals"])

    @cached_property
    def masked_counts(self) -> LiteralCounts:
        """The literal cues' counts in the masked body.

        Masking only blanks characters out (with MASK), so a cue absent from the body
        is absent from the masked body too, unless it holds the mask character.
        """
        index = facet_rules()["literals"]
        maybe = self.body_counts.occurring | {literal for literal in index.literals if MASK in literal}
        return LiteralCounts(self.masked, index, maybe)

    @cached_property
    def signoff(self) -> str:
        """The closing line when it is short enough to be a unit's name and a date, else ""."""
        limit = facet_rules()["writer"]["signoff_max_chars"]
        for text in reversed(self.paragraphs[-2:]):
            if text.strip() and len(text) <= limit:
                return text
        return ""


def looks_like_title(line: str) -> bool:
    """A short line without a sentence in it that names a genre (总结, 计划, 讲话 …)."""
    if len(line) > TITLE_MAX_CHARS or _SENTENCE.search(line.rstrip("。")):
        return False
    return bool(_GENRE_WORD.search(line))


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
