"""The source line that follows a copied or exported paragraph.

A staffer pastes a paragraph into a new document and must be able to say
where it came from, so the line names every part a reader would check:
the unit (org_name, else township and level), the year and period (else the
publish date), the title and the file. Which parts appear, and in what
order, is a setting (``PORTAL_CITATION``, e.g. ``unit,title,date,file``);
a part the document does not have is left out, never printed empty.

Default: ``——城关镇总工会《城关镇工会2004年上半年工作总结》，2004年上半年，来源文件：000.txt``
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import Protocol

from flask import current_app, has_app_context

from portal.labels import known

#: Every part a source line can have, in the default order.
PARTS: tuple[str, ...] = ("unit", "title", "date", "published", "file")
DEFAULT_PARTS: tuple[str, ...] = ("unit", "title", "date", "file")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


class Citable(Protocol):
    """What a source line needs; both IndexDocument and Hit have it."""

    title: str
    org_name: str
    township: str
    org_level: str
    year: int | None
    period: str
    source_path: str
    publish_date: str | None


class InvalidCitation(ValueError):
    """A ``PORTAL_CITATION`` setting naming a part that does not exist."""


def parse_parts(setting: str | Sequence[str] | None) -> tuple[str, ...]:
    """The parts named by a setting (comma- or space-separated); the default when empty."""
    if not setting:
        return DEFAULT_PARTS
    names = setting.replace("，", ",").replace(" ", ",").split(",") if isinstance(setting, str) else list(setting)
    chosen = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    unknown = [n for n in chosen if n not in PARTS]
    if unknown:
        raise InvalidCitation(f"PORTAL_CITATION 含未知部分 {unknown[0]}；可用：{', '.join(PARTS)}")
    return chosen or DEFAULT_PARTS


def unit_of(item: Citable) -> str:
    """The unit that wrote it: the organisation's name, else the township with its level."""
    if item.org_name:
        return item.org_name
    level = getattr(item, "org_level", "")
    if item.township:
        return f"{item.township}（{level}）" if known("org_level", level) and level != "乡镇街道" else item.township
    return ""


def published_of(item: Citable) -> str:
    """The publish date in Chinese form (2023年7月2日), "" when unknown."""
    raw = getattr(item, "publish_date", None) or ""
    match = _DATE.match(raw)
    if not match:
        return raw
    year, month, day = match.groups()
    return f"{year}年{int(month)}月" + (f"{int(day)}日" if day else "")


def date_of(item: Citable) -> str:
    """The year (with 上半年/下半年/全年 when known), else the publish date."""
    if item.year is None:
        return published_of(item)
    # 其他 (a non-standard period) and 未知 say nothing worth copying.
    period = item.period if known("period", item.period) and item.period != "其他" else ""
    return f"{item.year}年{period}"


def _render(item: Citable, part: str) -> str:
    title = item.title or ""
    file_name = posixpath.basename(item.source_path) or item.source_path
    if part == "unit":
        return unit_of(item)
    if part == "title":
        # Never an empty line: without a title the file name stands in for it.
        return f"《{title or file_name or '无标题'}》"
    if part == "date":
        return date_of(item)
    if part == "published":
        # Already said by "date" when that fell back to the publish date.
        return f"发布于{published_of(item)}" if item.year is not None and published_of(item) else ""
    if part == "file":
        return f"来源文件：{file_name}" if file_name else ""
    return ""


def configured_parts() -> tuple[str, ...]:
    """The parts the running portal is configured with (the default outside a request)."""
    if has_app_context():
        return tuple(current_app.config.get("CITATION_PARTS") or DEFAULT_PARTS)
    return DEFAULT_PARTS


def source_line(item: Citable, parts: Sequence[str] | None = None) -> str:
    """``——单位《标题》，年份，来源文件：…`` with the parts the document has, in the configured order."""
    chosen = tuple(parts) if parts is not None else configured_parts()
    rendered = [(part, _render(item, part)) for part in chosen]
    out = ""
    for index, (part, text) in enumerate(rendered):
        if not text:
            continue
        # A unit directly before its title reads as one phrase: 城关镇总工会《…》.
        glued = part == "title" and index > 0 and rendered[index - 1][0] == "unit" and rendered[index - 1][1]
        out += text if not out or glued else f"，{text}"
    return "——" + out
