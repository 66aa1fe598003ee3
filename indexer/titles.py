"""Titles of summaries and the series markers of template pages, recognised on folded text.

Shared by cleaning (a title line is not debris, a collection title is) and
splitting (a title or a series marker starts an article). The genre words and
marker shapes are data (indexer/data/page_zones.toml, ``[titles]``).

Three shapes matter on template pages:

* a **title**: a short line naming a document (…工会工作总结, …述职报告, …主持词);
* a **series marker**, alone or around a title: 篇一, 【篇二】, 第1篇：, 范文三, 例文4, 模板篇5,
  …总结1, …总结 篇2, 1.…活动总结;
* a **collection title**: a title that names a bundle (…总结(通用6篇), …总结4篇,
  …集锦15篇, …合集): the site's heading, never an article of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.enrichment.pattern_facts import with_first_chars
from indexer.folding import fold, folded_view
from indexer.pagerules import zone_rules

MAX_TITLE = 40
_NUM = r"(?:\d{1,3}|[一二三四五六七八九十]{1,3})"
_SERIES_PREFIX = re.compile(
    rf"^[【\[(]?\s*(?:第\s*{_NUM}\s*篇|篇\s*{_NUM}|(?:范文|例文|样文|模板)\s*篇?\s*{_NUM}|{_NUM}\s*篇(?=[】\])]))\s*[】\])]?\s*[:.、]?\s*"
)
_NUMBERED_PREFIX = re.compile(r"^\d{1,2}\s*[.、]\s*")
# Asserted first characters (indexer.enrichment.pattern_facts): a body line is scanned for a
# series suffix and a collection count when it is compared with the title, and most of its
# positions can start neither.
_SERIES_SUFFIX = with_first_chars(
    re.compile(rf"\s*(?:[(\[【]\s*)?(?:篇\s*{_NUM}|第\s*{_NUM}\s*篇|{_NUM})\s*(?:[)\]】])?$")
)
_SENTENCE_MARK = re.compile(r"[。!?;]|,(?=.)")
_NOT_IN_KEY = re.compile(r"[\W_]|范文")


@dataclass(frozen=True)
class TitleShape:
    """What a line is as a title: its shown text and whether it starts a new article."""

    title: str  # the title without markers ("" for a bare series marker)
    series: bool  # a series marker is present (篇一, …总结1)
    collection: bool  # names a bundle of documents: a site heading


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    rules = zone_rules()["titles"]
    genre = re.compile("(?:" + "|".join(rules["genre_words"]) + r")(?:范文|材料|报告)?$")
    collection = with_first_chars(re.compile("|".join(rules["collection"])))
    return genre, collection


def _strip_decoration(text: str) -> str:
    return text.strip().strip("《》\"“”'").rstrip(": ").strip()


def is_genre_title(text: str) -> bool:
    """A short line without sentences that ends in a document genre word (…总结, …讲话)."""
    genre, _ = _patterns()
    folded = _strip_decoration(fold(text))
    return 2 <= len(folded) <= MAX_TITLE and not _SENTENCE_MARK.search(folded) and bool(genre.search(folded))


def names_a_unit(folded: str) -> bool:
    """The folded title names an organisation (工会, 学校, 镇 …): a document's title, not a heading."""
    return _unit_words().search(folded) is not None


@lru_cache(maxsize=1)
def _unit_words() -> re.Pattern[str]:
    return re.compile("|".join(zone_rules()["titles"]["unit_words"]))


def has_genre_word(folded: str) -> bool:
    """The folded text names a document genre somewhere (总结, 计划, 讲话 …)."""
    return _genre_anywhere().search(folded) is not None


@lru_cache(maxsize=1)
def _genre_anywhere() -> re.Pattern[str]:
    return re.compile("|".join(zone_rules()["titles"]["genre_words"]))


@lru_cache(maxsize=4096)
def title_shape(text: str, loose: bool = False) -> TitleShape | None:
    """The line read as a title, a series marker or a collection title; None for anything else.

    ``loose``: accept a short line that names a genre anywhere ("关于…的总结思考"),
    for the lines before an article's first sentence, where nothing else is a title.
    """
    folded = fold(text).strip()
    if not folded or len(folded) > MAX_TITLE + 8:
        return None
    genre, collection = _patterns()
    shown = text.strip()
    series = False
    prefix = _SERIES_PREFIX.match(folded)
    if prefix:
        series = True
        folded = folded[prefix.end() :]
        shown = _drop_prefix(shown, len(fold(shown)) - len(folded))
        if not folded:
            return TitleShape("", True, False)
    elif (numbered := _NUMBERED_PREFIX.match(folded)) and is_genre_title(folded[numbered.end() :]):
        series = True
        folded = folded[numbered.end() :]
        shown = _drop_prefix(shown, numbered.end())
    core = _strip_decoration(folded)
    if collection.search(core):
        return TitleShape(_strip_decoration(shown), False, True) if _titled(core, genre) else None
    suffix = _SERIES_SUFFIX.search(core)
    if suffix and suffix.start() > 0 and genre.search(_strip_decoration(core[: suffix.start()])):
        # The suffix stays in the shown title: it tells the articles of a series apart (…总结篇一, …总结篇二).
        return TitleShape(clean_title(shown), True, False)
    if is_genre_title(core) or (loose and not _SENTENCE_MARK.search(core) and len(core) <= MAX_TITLE):
        return TitleShape(clean_title(shown), series, False)
    return TitleShape(clean_title(shown), True, False) if series and len(core) <= MAX_TITLE else None


def _titled(core: str, genre: re.Pattern[str]) -> bool:
    """A collection title still names a genre once its count is gone (…总结(通用6篇))."""
    _, collection = _patterns()
    return bool(genre.search(_strip_decoration(collection.sub("", core)))) and not _SENTENCE_MARK.search(core)


def _drop_prefix(shown: str, folded_prefix_len: int) -> str:
    # Folding keeps one character for one character except injected readings, which
    # never stand in a marker: the first characters of the folded prefix are the marker.
    return shown.strip()[folded_prefix_len:].lstrip(" :：.、】]")


def collection_core(text: str) -> str:
    """A collection title without its count: "…工作总结(通用6篇)" → "…工作总结"."""
    _, collection = _patterns()
    view = folded_view(text.strip())
    match = collection.search(view.text)
    if match is None:
        return clean_title(text)
    start, _ = view.original_span(match.start(), match.end())
    return clean_title(text.strip()[:start])


def clean_title(title: str) -> str:
    """A title as shown to users: no trailing 范文 or punctuation, no decoration."""
    title = title.strip().strip("《》").rstrip("：:。 ")
    return re.sub(r"范文$", "", title).strip()


def same_title(a: str, b: str) -> bool:
    """Two titles that name the same document once markers, counts and decoration are gone."""
    if not (a and b):
        return False
    key = _title_key(b)
    # A key is the folded text with characters removed (never added): a text that lacks one
    # of the other key's characters cannot have the same key. Most body lines compared with
    # the title lack some, and are told apart without working out their own key.
    folded = fold(a)
    return all(ch in folded for ch in key) and _title_key(a) == key


@lru_cache(maxsize=1024)
def _title_key(text: str) -> str:
    _, collection = _patterns()
    folded = fold(text)
    folded = _SERIES_PREFIX.sub("", folded)
    folded = collection.sub("", folded)
    folded = _SERIES_SUFFIX.sub("", folded)
    return _NOT_IN_KEY.sub("", folded)
