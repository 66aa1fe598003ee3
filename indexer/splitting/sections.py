"""Split an article into paragraphs, each carrying its section path.

Headings are recognised by their numbering style (indexer.markers) or a
.docx heading style. Nesting follows the order in which styles first
appear, as a reader infers it: a style already open closes everything below
it; a new style opens a level under the current one. A list item that
starts with a short lead sentence ("1、关心好特困职工。特困职工是…") is a
run-in heading: its lead joins the section path of its own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.cleaning.lines import CleanLine, is_unbalanced
from indexer.markers import leading_marker

MAX_HEADING = 40
MAX_PLAIN_HEADING = 20
_HEADING_STYLES = {"cn", "cn_paren", "num", "num_paren", "circled", "di", "sequence", "shi"}
_SENTENCE_END = re.compile(r"[。！？!?；;]")


@dataclass
class ParagraphDraft:
    """A paragraph's text with the headings above it."""

    text: str
    section_path: list[str] = field(default_factory=list)
    is_heading: bool = False


def heading_label(text: str) -> str:
    """A heading as shown in a section path: without closing punctuation."""
    return text.strip().rstrip("。：:；;，, ")


def is_heading(text: str, next_text: str | None = None) -> bool:
    """A numbered short line, or a short unnumbered line that names a part.

    A numbered sentence with commas ("3、…，…。") heads a section only when
    body text follows it; followed by the next item it is an item itself.
    """
    if len(text) > MAX_HEADING or is_unbalanced(text) or _SENTENCE_END.search(text[:-1]):
        return False
    marker = leading_marker(text)
    if marker is not None:
        if marker.style in ("num", "num_paren", "circled") and re.search(r"[，,]", text) and text.endswith("。"):
            return next_text is not None and leading_marker(next_text) is None and not is_heading(next_text)
        return marker.style in _HEADING_STYLES and marker.style not in ("shi", "di", "sequence")
    # "20xx年具体做了以下几方面工作:" introduces a list; it does not name a part.
    return len(text) <= MAX_PLAIN_HEADING and not re.search(r"[，,。]|以下|如下|下列", text)


def run_in_heading(text: str) -> str | None:
    """The lead sentence of a numbered item that goes on after it, if short enough."""
    marker = leading_marker(text)
    if marker is None:
        return None
    end = _SENTENCE_END.search(text)
    if end is None or end.end() >= len(text):
        return None
    lead = text[: end.start()]
    if len(lead) - marker.length > MAX_HEADING or len(lead) <= marker.length:
        return None
    return heading_label(lead)


class _Outline:
    """The open headings, keyed by numbering style, innermost last."""

    def __init__(self) -> None:
        self.open: list[tuple[str, str]] = []  # (style, label)

    def path(self) -> list[str]:
        return [label for _style, label in self.open]

    def enter(self, style: str, label: str) -> None:
        for i, (open_style, _label) in enumerate(self.open):
            if open_style == style:
                del self.open[i:]
                break
        self.open.append((style, label))


def _style_of(line: CleanLine) -> str:
    if line.heading_level:
        return f"docx{line.heading_level}"
    marker = leading_marker(line.text)
    return marker.style if marker else "plain"


def split_paragraphs(lines: list[CleanLine]) -> list[ParagraphDraft]:
    """Every line becomes a paragraph; headings also open a section for what follows."""
    outline = _Outline()
    out: list[ParagraphDraft] = []
    for index, line in enumerate(lines):
        text = line.text
        style = _style_of(line)
        next_text = lines[index + 1].text if index + 1 < len(lines) else None
        if line.heading_level or is_heading(text, next_text):
            if style == "plain" or style.startswith("docx"):
                # An unnumbered heading ("下半年工作重点") or a styled one starts a
                # top-level part: numbered sections after it nest under it.
                depth = line.heading_level or 1
                del outline.open[depth - 1 :]
            out.append(ParagraphDraft(text, _parents(outline, style), True))
            outline.enter(style, heading_label(text))
            continue
        lead = run_in_heading(text)
        if lead is not None:
            outline.enter(style, lead)
        elif style != "plain" and style in {s for s, _ in outline.open}:
            # An item without a short lead closes its open siblings' sections.
            outline.enter(style, "")
            outline.open.pop()
        out.append(ParagraphDraft(text, outline.path()))
    return out


def _parents(outline: _Outline, style: str) -> list[str]:
    """The section path a new heading of ``style`` sits under."""
    for i, (open_style, _label) in enumerate(outline.open):
        if open_style == style:
            return [label for _s, label in outline.open[:i]]
    return outline.path()
