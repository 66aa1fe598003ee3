"""Split one file's lines into articles, each with its own title.

Template pages hold several summaries: "篇一:", "第1篇：", "篇1：", "范文二："
markers, or bare title lines ("乡镇工会工作总结3", "工会工作半年总结篇二").
Where several title lines follow each other (a collection title, then the
article's own), the last one before content names the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.cleaning.lines import CleanLine
from indexer.markers import leading_article_marker
from indexer.pagerules import zone_rules
from indexer.titles import clean_title, is_genre_title, same_title, title_shape

MAX_TITLE = 40
_TITLE_END = re.compile(r"(总结|汇报|报告)(范文)?")


@dataclass
class ArticleDraft:
    """An article's title (empty when the text names none) and its body lines."""

    title: str
    lines: list[CleanLine] = field(default_factory=list)


def split_marker_line(text: str) -> tuple[str, str]:
    """Split "篇一:标题 正文…" into (title, body); either may be empty."""
    marker = leading_article_marker(text) or ""
    rest = text[len(marker) :].strip()
    if len(rest) <= MAX_TITLE and not re.search(r"[。！？!?；;]", rest[:-1]):
        return clean_title(rest), ""
    gap = rest.find(" ")
    if 0 < gap <= MAX_TITLE and _TITLE_END.search(rest[:gap]):
        return clean_title(rest[:gap]), rest[gap:].strip()
    end = _TITLE_END.search(rest[: MAX_TITLE + 2])
    if end:
        return clean_title(rest[: end.end()]), rest[end.end() :].strip(" ：:")
    return "", rest


def split_articles(lines: list[CleanLine], fallback_title: str = "") -> list[ArticleDraft]:
    """Group lines into articles: a title line or a series marker starts one.

    Lines before any title form an article of their own. An article whose
    body is too short to be one (a title with a stray line under it) is
    debris of the page's layout: its lines join the article before it, or,
    at the top of the page, the one after it.
    """
    articles: list[ArticleDraft] = []
    pending_title: str | None = None  # a title waiting for its first content line
    last_title = fallback_title
    current: ArticleDraft | None = None
    for index, line in enumerate(lines):
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        # "…工作总结" run into "篇一:…" on one line: the title of the series that follows.
        runs_into_marker = bool(leading_article_marker(following)) and is_genre_title(line.text)
        if line.is_title or line.heading_level == 0 or runs_into_marker:
            shape = title_shape(line.text)
            title = shape.title if shape is not None else clean_title(line.text)
            repeated = shape is None or not shape.series
            if not title or (repeated and pending_title and same_title(title, pending_title)):
                title = pending_title or last_title
            pending_title = title
            last_title = title
            continue
        if leading_article_marker(line.text):
            title, body = split_marker_line(line.text)
            pending_title = title or last_title
            last_title = pending_title
            if not body:
                continue
            line = CleanLine(body)
        if pending_title is not None or current is None:
            current = ArticleDraft(pending_title if pending_title is not None else fallback_title)
            articles.append(current)
            pending_title = None
        current.lines.append(line)
    return _merge_slight(articles)


def _body_length(article: ArticleDraft) -> int:
    return sum(len(line.text) for line in article.lines)


def _merge_slight(articles: list[ArticleDraft]) -> list[ArticleDraft]:
    """Fold articles with too little body into a neighbour: debris never stands as an article."""
    minimum = zone_rules()["zones"]["article_min_body"]
    if len(articles) < 2:
        return articles
    merged: list[ArticleDraft] = []
    carry: list[CleanLine] = []
    for article in articles:
        if _body_length(article) < minimum:
            if merged:
                merged[-1].lines.extend(article.lines)
            else:
                carry.extend(article.lines)
            continue
        if carry:
            article.lines[:0] = carry
            carry = []
        merged.append(article)
    if carry:  # nothing substantial at all: keep the page as one article
        return [ArticleDraft(articles[0].title, carry)]
    return merged
