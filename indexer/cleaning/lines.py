"""Line-level cleaning: white space, boilerplate, teasers, page-break prefixes, hard wraps."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from indexer.cleaning.boilerplate import BoilerplateRules, load_rules
from indexer.cleaning.zones import ZonedLine, classify
from indexer.markers import leading_article_marker, leading_marker
from indexer.titles import collection_core

#: Characters that end a sentence or a clause a line may legitimately end on.
TERMINAL = "。！？!?；;：:….”’」』）)】》\"'"
_TERMINAL_ENDS = tuple(TERMINAL)  # str.endswith takes a tuple of endings
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = dict.fromkeys(
    [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
)
# str.translate walks every character through a dict; finding out first that there is
# nothing to delete (the usual case) costs a fraction of that.
_HAS_INVISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")
_BULLET = re.compile(r"^[-•·●▪■◆◇*]\s+")
_PAGE_PREFIX = re.compile(r"^(\d{1,3})、")
_TEASER_END = re.compile(r"(\.{3,}|…+)$")
_TEASER_LAST = (".", "…", ".\n", "…\n")
_OPEN_CLOSE = ("《》", "“”", "（）", "()", "「」", "【】")
_HAS_OPENER = re.compile("[" + re.escape("".join(o for o, _c in _OPEN_CLOSE)) + "]")
_TITLE_LIKE = re.compile(
    r"(总结|汇报|报告)(范文)?\s*([（(]?(\d{1,2}|[一二三四五六七八九十]{1,3})[)）]?|篇[一二三四五六七八九十\d]+)?$"
)
_SENTENCE_BREAK = re.compile(r"[。！？!?；;]\s*")
_SENTENCE_MARKS = "。！？!?；;"  # the characters _SENTENCE_BREAK starts with
_SPACES_AFTER = re.compile(r"\s*")


class LineLike(Protocol):
    """What cleaning needs of a line as read (indexer.reading.RawLine fits)."""

    text: str
    heading_level: int | None


@dataclass
class CleanLine:
    """A line of the author's text after cleaning; ``is_title`` marks a title or series marker line."""

    text: str
    heading_level: int | None = None
    is_title: bool = False


@dataclass
class CleanResult:
    """Cleaned lines plus what debris revealed before it went (a publish date, a collection's title)."""

    lines: list[CleanLine]
    captured: dict[str, str]
    #: What went, with the rule that named it (for reports and for checking that nothing else went).
    dropped: list[ZonedLine] = field(default_factory=list)


def normalise_spaces(text: str) -> str:
    """Drop invisible characters, fold every space variant to one ASCII space, trim."""
    text = unicodedata.normalize("NFC", text)
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def is_unbalanced(text: str) -> bool:
    """True when a bracket or quote opens in ``text`` and does not close (a cut sentence)."""
    # Most lines open nothing: one scan rules them out before six pairs of counts.
    return _HAS_OPENER.search(text) is not None and any(text.count(o) > text.count(c) for o, c in _OPEN_CLOSE)


def is_title_like(text: str) -> bool:
    """A short line naming a summary (…工作总结, …总结篇一, …总结3)."""
    return len(text) <= 40 and bool(_TITLE_LIKE.search(text))


def drop_teasers(lines: list[str]) -> list[str]:
    """Drop an excerpt line ("开头…...") that merely repeats the start of the next line."""
    out: list[str] = []
    for i, text in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        # Only a line ending in dots can be a teaser ($ also matches before a final newline).
        body = (_TEASER_END.sub("", text) if text.endswith(_TEASER_LAST) else text).strip()
        if body != text and len(body) >= 10 and nxt.startswith(body):
            continue
        out.append(text)
    return out


def repair_page_prefixes(lines: list[str]) -> list[str]:
    """Undo PDF exports that number every page line "1、 2、 3、" and cut sentences there.

    A real numbered list has short items; a page-prefix run numbers long lines
    1, 2, 3… in order and most of them continue the previous line mid-sentence.
    """
    numbered = [(i, int(m.group(1))) for i, t in enumerate(lines) if (m := _PAGE_PREFIX.match(t))]
    run = [i for k, (i, n) in enumerate(numbered) if n == k + 1]
    if len(run) < 2 or len(run) != len(numbered):
        return lines
    long_lines = sum(len(lines[i]) > 200 for i in run[:-1])  # the last page may be short
    cut = sum(not lines[j - 1].rstrip().endswith(_TERMINAL_ENDS) for j in run[1:] if j > 0)
    # Two chunks are evidence only when the page break cut a sentence; three or more may cut some.
    needed = len(run) - 1 if len(run) == 2 else 0.5 * (len(run) - 1)
    if long_lines < 0.6 * (len(run) - 1) or cut < needed:
        return lines
    out: list[str] = []
    for i, text in enumerate(lines):
        if i in run:
            body = _PAGE_PREFIX.sub("", text, count=1)
            if out and i != run[0]:
                out[-1] = (
                    out[-1].rstrip() + body.lstrip()
                    if _joins_without_space(out[-1], body)
                    else (out[-1].rstrip() + " " + body.lstrip())
                )
                continue
            text = body
        out.append(text)
    return out


def _joins_without_space(left: str, right: str) -> bool:
    # Chinese text has no spaces between words; Latin words need one back.
    a, b = left.rstrip()[-1:], right.lstrip()[:1]
    return not (a.isascii() and a.isalnum() and b.isascii() and b.isalnum())


def _is_heading_like(text: str) -> bool:
    if leading_article_marker(text) or is_title_like(text):
        return True
    marker = leading_marker(text)
    inner = text[:-1]
    return (
        marker is not None
        and len(text) <= 40
        and not is_unbalanced(text)
        and not any(p in inner for p in "。！？!?；;")
    )


def _last_sentence(text: str) -> str:
    """``_SENTENCE_BREAK.split(text)[-1]``: what follows the last sentence mark and its spaces.

    Every mark starts a break of its own (spaces never hold one), so the last break starts
    at the last mark; found from the end, as a joined line grows with every wrap it takes.
    """
    last = max(map(text.rfind, _SENTENCE_MARKS))
    if last < 0:
        return text
    return text[_SPACES_AFTER.match(text, last + 1).end() :]  # type: ignore[union-attr]


def join_hard_wraps(lines: list[str]) -> list[str]:
    """Join a line cut mid-sentence (no closing punctuation) with the line that continues it."""
    out: list[str] = []
    for text in lines:
        # Tests in order of cost, each asked only when the ones before leave the join open:
        # a line that ends its sentence is never continued.
        if out and not out[-1].endswith(_TERMINAL_ENDS) and _can_continue(out[-1]):
            prev = out[-1]
            starts_new = leading_marker(text) is not None or _is_heading_like(text)
            if not starts_new:
                joiner = "" if _joins_without_space(prev, text) else " "
                out[-1] = prev + joiner + text
                continue
        out.append(text)
    return out


def _can_continue(prev: str) -> bool:
    """Whether a line that does not end its sentence may go on in the next line."""
    if is_unbalanced(prev):
        return True
    if len(prev) <= 15 or _is_heading_like(prev):
        return False
    # "…手段。 2、发挥民主监督作用" ends on an inline heading, not on a cut sentence.
    tail = _last_sentence(prev)
    return not (tail != prev and bool(tail) and _is_heading_like(tail))


def clean_lines(raw: Sequence[LineLike], rules: BoilerplateRules | None = None) -> CleanResult:
    """Clean one document's lines; drops only what a rule names as debris.

    Zones first (indexer.cleaning.zones), on whole lines as read: a wrapped
    piece of an intro is recognised with the header zone around it. Joining
    comes after, within the runs of content between titles, so that a title
    is never glued to its body.
    """
    rules = rules or load_rules()
    texts: list[tuple[str, int | None]] = []
    for line in raw:
        text = _BULLET.sub("", normalise_spaces(line.text))
        if text:
            texts.append((text, line.heading_level))
    marked, captured = rules.apply(texts)
    out: list[CleanLine] = []
    run: list[tuple[str, int | None]] = []
    dropped: list[ZonedLine] = []
    for zoned in classify(marked):
        if zoned.role == "debris":
            dropped.append(zoned)
            if zoned.reason == "collection title":
                captured.setdefault("page_title", collection_core(zoned.text))
            continue
        if zoned.role == "title":
            out.extend(_repair(run))
            run = []
            out.append(CleanLine(zoned.text, zoned.heading_level, is_title=True))
        else:
            run.append((zoned.text, zoned.heading_level))
    out.extend(_repair(run))
    return CleanResult(out, captured, dropped)


def _repair(run: list[tuple[str, int | None]]) -> list[CleanLine]:
    """Undo page-number prefixes and hard wraps within a run of content lines."""
    if not run:
        return []
    headings = {text: level for text, level in run if level is not None}
    texts = repair_page_prefixes([text for text, _ in run])
    texts = join_hard_wraps(texts)
    texts = drop_teasers([t for t in (normalise_spaces(t) for t in texts) if t])
    return [CleanLine(t, headings.get(t)) for t in texts]


def iter_texts(lines: Iterable[CleanLine]) -> list[str]:
    """The texts of cleaned lines."""
    return [line.text for line in lines]
