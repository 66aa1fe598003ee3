"""Split one file's lines into articles, each with its own title.

Template pages hold several summaries: "篇一:", "第1篇：", "篇1：", "范文二："
markers, or bare title lines ("乡镇工会工作总结3", "工会工作半年总结篇二").
Where several title lines follow each other (a collection title, then the
article's own), the last one before content names the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.cleaning.lines import CleanLine, is_title_like
from indexer.markers import leading_article_marker, leading_marker

MAX_TITLE = 40
_TITLE_END = re.compile(r"(总结|汇报|报告)(范文)?")


@dataclass
class ArticleDraft:
    """An article's title (empty when the text names none) and its body lines."""

    title: str
    lines: list[CleanLine] = field(default_factory=list)


def clean_title(title: str) -> str:
    """Trim a title as shown to users: no marker, no trailing 范文 or punctuation."""
    title = title.strip().rstrip("：:。 ")
    return re.sub(r"范文$", "", title).strip()


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


def _is_title_line(line: CleanLine) -> bool:
    if line.heading_level == 0:  # the .docx "Title" style
        return True
    text = line.text
    return leading_marker(text) is None and is_title_like(text)


def split_articles(lines: list[CleanLine], fallback_title: str = "") -> list[ArticleDraft]:
    """Group lines into articles; lines before any title form an article of their own."""
    articles: list[ArticleDraft] = []
    pending_title: str | None = None  # a title waiting for its first content line
    last_title = fallback_title
    current: ArticleDraft | None = None
    for line in lines:
        if leading_article_marker(line.text):
            title, body = split_marker_line(line.text)
            pending_title = title or last_title
            last_title = pending_title
            if not body:
                continue
            line = CleanLine(body)
        elif _is_title_line(line):
            pending_title = clean_title(line.text)
            last_title = pending_title
            continue
        if pending_title is not None or current is None:
            current = ArticleDraft(pending_title if pending_title is not None else fallback_title)
            articles.append(current)
            pending_title = None
        current.lines.append(line)
    return articles
