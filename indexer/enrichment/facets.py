"""Infer an article's facets from its title and text (the document's own word).

One entry point, :func:`infer`, reads the article once (indexer.enrichment.evidence)
and asks each mechanism in turn: the genre (genre.py), the writer's name, level and
organisation (writer.py), the township (places.py), the year and period (timing.py).
Each value comes with its origin ("title" or "text"); absent values are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.enrichment import genre, places, timing, writer
from indexer.enrichment.evidence import ArticleText
from indexer.enrichment.writer import word_tags as _word_tags  # noqa: F401  (bench warms it up)

_HAN = "\u4e00-\u9fff"
_PLACE_KIND = "镇|乡|街道"
_PLACE_KIND_FIRST = "".join(kind[0] for kind in _PLACE_KIND.split("|"))
# Quick scans for a place acting as a unit (鹿苑镇工会, 顺昌县总工会). Each pattern first
# asserts the place kind's first character, so the scan rejects every other position with
# one test before trying the look-behind (tests/indexer/test_scan_equivalence.py).
_TOWNSHIP = re.compile(
    rf"(?=[{_PLACE_KIND_FIRST}])(?<=[{_HAN}]{{2}})({_PLACE_KIND})(?=总?工会|党委|党工委|政府|人民政府|人大|教育工会|工会联合会|办事处)"
)
_NAMED_UNION = re.compile(
    rf"(?=[县市区{_PLACE_KIND_FIRST}])(?<=[{_HAN}]{{2}})(县|市|区|{_PLACE_KIND})(总工会|工会联合会|工会)"
)


@dataclass
class Inferred:
    """Facet values inferred from an article's own words, each with its origin."""

    values: dict[str, object] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, found: tuple[object, str] | None) -> None:
        """Keep ``found`` = (value, origin) unless it is empty."""
        if found is not None and found[0] not in (None, ""):
            self.values[name] = found[0]
            self.origins[name] = found[1]


def infer(title: str, texts: list[str]) -> Inferred:
    """All facets the title and paragraphs reveal: doc_type, org_type, org_level, org_name,
    township, period, year and year_label."""
    text = ArticleText.of(title, texts)
    out = Inferred()
    kind = genre.doc_type(text)
    out.put("doc_type", kind)
    # The level read without a writer tells superiors from the writer (a 市总工会 in a 镇 summary).
    levels = writer.level_evidence(text)
    first = levels.best()
    named = writer.writer_name(text, first[0] if first else None)
    unit = named[0] if named else None
    level = levels.best(unit)
    out.put("org_level", level)
    out.put("org_type", (writer.org_type(text, unit), "text"))
    place = places.township(text.body, level[0] if level else None)
    if place is None:
        place = places.township(text.heads, level[0] if level else None)
        out.put("township", (place, "title") if place else None)
    else:
        out.put("township", (place, "text"))
    if named is not None:
        out.put("org_name", (unit.name, named[1]))  # type: ignore[union-attr]
    out.put("year", timing.year(text))
    label = timing.year_label(text.heads)
    out.put("year_label", (label, "title") if label else None)
    out.put("period", timing.period(text, kind[0]))
    return out


def org_level(title: str, text: str) -> tuple[str, str] | None:
    """(level, origin) of an article given as a title and one text."""
    return writer.org_level(ArticleText.of(title, [text]))


def township(text: str) -> str | None:
    """The township a text names as its own (most acting mentions), never 我镇 or xx镇."""
    return places.township(ArticleText.of("", [text]).body)


def period(title: str, text: str) -> tuple[str, str] | None:
    """(period, origin) of an article given as a title and one text."""
    return timing.period(ArticleText.of(title, [text]))


def year(title: str, text: str) -> tuple[int, str] | None:
    """(year, origin) the text reports on; the title's year is only a label (see timing.year_label)."""
    return timing.year(ArticleText.of(title, [text]))
