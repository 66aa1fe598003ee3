"""Saved web pages (.html/.htm): the article's text, without the site around it.

Pages saved from union and government sites carry navigation, "related articles",
share bars and footers around the summary; the content container is found and the
rest dropped. Text is then laid out as a browser would: each block element starts a
line, ``<br>`` breaks one, and runs of source whitespace collapse to one space.

Pages a word processor wrote (LibreOffice's or Word's "save as web page") are read
like the document they came from: the running header and footer it repeats on the
page are dropped, footnotes go to the end as "注1：…" (:mod:`indexer.reading.html_notes`),
and a data table becomes one line per row, its cells joined by "；" — as the .docx
and .odt readers write them. A table used for page layout (a cell holding the
article, or a table within a table) is read block by block as before.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from indexer.reading.document import Extracted, RawLine, UnreadableFile
from indexer.reading.encoding import BinaryContent, decode_text
from indexer.reading.html_notes import take_notes
from indexer.reading.pdf_layout import TABLE_CELL_SEPARATOR, TABLE_ROW_END

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
_SNIFF_BYTES = 4096

_ALWAYS_DROP = [
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "button",
    "select",
    "input",
    "textarea",
    "map",
    "audio",
    "video",
    "head",
]
_LAYOUT_DROP = frozenset({"nav", "aside", "form", "header", "footer"})
# Class/id words of site furniture, including pinyin ones common on Chinese sites
# (daohang = navigation, fenxiang = share, xiangguan = related; jiathis, bdshare = share widgets).
_NOISE_NAME = re.compile(
    r"nav|menu|sidebar|side-bar|side_bar|footer|comment|breadcrumb|crumb|share|recommend|related"
    r"|copyright|pagination|pager|toolbar|jiathis|fenxiang|daohang|xiangguan",
    re.IGNORECASE,
)
_CONTENT_NAME = re.compile(r"content|article|artibody|zoom|trs_editor|detail|entry", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Running header and footer a word processor writes once into the page: LibreOffice as
# <div title="header">, Word as <div style="mso-element:header">. Page furniture, not text.
_PAGE_FURNITURE_TITLES = frozenset({"header", "footer", "first page header", "first page footer"})
_WORD_PAGE_FURNITURE = re.compile(r"mso-element\s*:\s*(?:header|footer)", re.IGNORECASE)
# A table with a cell longer than this (or holding more lines) lays out a page; it is no data table.
_MAX_CELL_CHARS = 600
_MAX_CELL_LINES = 6
# A "noise" element holding more than this share of the page is a page-wide wrapper
# (ASP.NET pages put everything in one <form>), not furniture.
_MAX_NOISE_SHARE = 0.5
# The chosen content container must hold at least this share of the page's text.
_MIN_CONTENT_SHARE = 0.2

# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# fmt: on
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # not NBSP or U+3000: those are the author's
_ANY_SPACE = re.compile(r"\s+")

# fmt: off
_DATE_META = frozenset({
    "publishdate", "pubdate", "publish_date", "publish-date", "publishtime", "firstpublishedtime",
    "article:published_time", "datepublished", "og:release_date", "dc.date", "dc.date.issued",
    "dc.date.created", "dcterms.issued", "date",
})
# fmt: on
_TITLE_META = ("articletitle", "og:title", "title")


def read_html(data: bytes, declared: str | None = None) -> Extracted:
    """Read an HTML page; ``declared`` is a charset known from outside (MHTML part header)."""
    label = declared or _declared_charset(data[:_SNIFF_BYTES])
    try:
        text, encoding = decode_text(data, declared=label)
    except BinaryContent as exc:
        raise UnreadableFile("binary content in a .html file") from exc
    soup = BeautifulSoup(text, "lxml")
    metas = _metas(soup)
    title = _title(soup, metas)
    publish_date = next((metas[key] for key in metas if key in _DATE_META), None)
    root = soup.body or soup
    _drop_noise(root)
    content = _content_root(root)
    notes = take_notes(content, root)
    builder = _LineBuilder()
    builder.walk(content)
    builder.flush()
    lines = builder.lines + _note_lines(notes)
    return Extracted(lines=lines, title=title, publish_date=publish_date, encoding=encoding)


def _note_lines(notes: list[Tag]) -> list[RawLine]:
    """The notes as the .docx reader writes them: "注1：…", numbered in the order they are cited."""
    lines: list[RawLine] = []
    for note in notes:
        builder = _LineBuilder()
        builder.walk(note)
        builder.flush()
        text = "".join(line.text.strip() for line in builder.lines)
        if text:
            lines.append(RawLine(f"注{len(lines) + 1}：{text}"))
    return lines


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta name|property|itemprop=… content=…>`` by lower-cased key, first one wins."""
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop")
        content = meta.get("content")
        if isinstance(key, str) and isinstance(content, str) and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    return found


def _title(soup: BeautifulSoup, metas: dict[str, str]) -> str | None:
    if soup.title is not None:
        title = _HTML_SPACE.sub(" ", soup.title.get_text()).strip(" ")
        if title:
            return title
    return next((metas[key] for key in _TITLE_META if key in metas), None)


def _text_size(element: Tag) -> int:
    return len(_ANY_SPACE.sub("", element.get_text()))


def _drop_noise(root: Tag) -> None:
    for element in root.find_all(_ALWAYS_DROP):
        element.decompose()
    for element in root.find_all(_is_hidden):
        element.decompose()
    total = max(1, _text_size(root))
    for element in root.find_all(_is_furniture):
        if element.decomposed:  # inside something dropped before it
            continue
        if element.name in ("header", "footer") and element.find_parent(("article", "main")):
            continue  # an article's own header holds its title and date
        if _text_size(element) > _MAX_NOISE_SHARE * total:
            continue
        element.decompose()


def _is_hidden(element: Tag) -> bool:
    style = element.get("style")
    if element.has_attr("hidden") or (isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))):
        return True
    return _is_page_furniture(element)


def _is_page_furniture(element: Tag) -> bool:
    """A word processor's running header or footer (repeated on every printed page)."""
    if element.name != "div":
        return False
    title = element.get("title")
    if isinstance(title, str) and title.strip().lower() in _PAGE_FURNITURE_TITLES:
        return True
    style = element.get("style")
    return isinstance(style, str) and bool(_WORD_PAGE_FURNITURE.search(style))


def _names(element: Tag) -> str:
    classes = element.get("class") or []
    if isinstance(classes, str):
        classes = [classes]
    element_id = element.get("id")
    return " ".join([*classes, element_id if isinstance(element_id, str) else ""])


def _is_furniture(element: Tag) -> bool:
    if element.name in ("html", "body", "main", "article"):
        return False
    return element.name in _LAYOUT_DROP or bool(_NOISE_NAME.search(_names(element)))


def _content_root(root: Tag) -> Tag:
    """The article/main/#content/.content/.article element with the most text, if any."""
    candidates = [
        element
        for element in root.find_all(True)
        if element.name in ("article", "main") or _CONTENT_NAME.search(_names(element))
    ]
    if not candidates:
        return root
    sizes = [(_text_size(element), element) for element in candidates]
    best_size, best = max(sizes, key=lambda pair: pair[0])
    if best_size < _MIN_CONTENT_SHARE * _text_size(root):
        return root
    return best


class _LineBuilder:
    """Lays text out into lines the way a browser breaks them."""

    def __init__(self) -> None:
        self.lines: list[RawLine] = []
        self._buffer: list[str] = []
        self._level: int | None = None

    def walk(self, element: Tag, in_pre: bool = False) -> None:
        for child in element.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _SKIPPED_STRINGS):
                    self._text(str(child), in_pre)
            elif isinstance(child, Tag):
                self._element(child, in_pre)

    def _element(self, element: Tag, in_pre: bool) -> None:
        name = element.name
        if name == "br":
            self.flush()
            return
        if name not in _BLOCK_TAGS:
            self.walk(element, in_pre)
            return
        self.flush()
        if name == "table" and not in_pre:
            rows = _data_table_rows(element)
            if rows is not None:
                self.lines.extend(RawLine(row) for row in rows)
                return
        outer_level = self._level
        if name in _HEADINGS:
            self._level = _HEADINGS[name]
        self.walk(element, in_pre or name == "pre")
        self.flush()
        self._level = outer_level

    def _text(self, text: str, in_pre: bool) -> None:
        if not in_pre:
            text = _HTML_SPACE.sub(" ", text)
            if text.startswith(" ") and (not self._buffer or self._buffer[-1].endswith(" ")):
                text = text[1:]  # collapse across element boundaries too: "a <b> b</b>"
            if text:
                self._buffer.append(text)
            return
        first, *rest = text.replace("\r\n", "\n").split("\n")
        self._buffer.append(first)
        for piece in rest:
            self.flush()
            self._buffer.append(piece)

    def flush(self) -> None:
        """End the current line (if it has any text)."""
        line = "".join(self._buffer).strip(" \t\n\r\f")
        self._buffer = []
        if line.strip():  # a page has no blank lines, only &nbsp; spacers; keep indentation
            self.lines.append(RawLine(line, self._level))


def _data_table_rows(table: Tag) -> list[str] | None:
    """A data table as lines, one per row ("项目；户数；金额。"); None for a layout table.

    A row read as one sentence is never taken for a heading and does not become the
    section of the text after the table. Tables that lay out a page — a table inside
    a cell, a cell holding paragraphs of the article, a single column — are left to
    the block-by-block walk, which keeps their text as paragraphs.
    """
    if table.find("table") is not None:
        return None
    rows: list[list[str]] = []
    for row in table.find_all("tr"):
        cells: list[str] = []
        for cell in row.find_all(("td", "th"), recursive=False):
            builder = _LineBuilder()
            builder.walk(cell)
            builder.flush()
            texts = [line.text.strip() for line in builder.lines if line.text.strip()]
            text = "".join(texts)
            if len(texts) > _MAX_CELL_LINES or len(text) > _MAX_CELL_CHARS:
                return None
            if text:
                cells.append(text)
        if cells:
            rows.append(cells)
    if not rows or max(len(cells) for cells in rows) < 2:
        return None
    caption = table.find("caption")
    lines = [_HTML_SPACE.sub(" ", caption.get_text()).strip()] if caption is not None else []
    lines = [line for line in lines if line]
    lines.extend(TABLE_CELL_SEPARATOR.join(cells).rstrip(TABLE_ROW_END) + TABLE_ROW_END for cells in rows)
    return lines
