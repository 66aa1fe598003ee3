"""The values the reading stage hands on: raw lines, raw documents and the one error.

Kept apart from ``__init__`` so that the format modules can import these types
without importing the dispatcher (which imports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.model import SourceFile


@dataclass
class RawLine:
    """One line of text exactly as the file holds it (never contains a newline).

    ``heading_level`` is 1–9 for a .docx heading style or outline level and 1–6
    for HTML ``<h1>``–``<h6>``; 0 marks a .docx paragraph in the "Title" style.
    It is ``None`` for every other line, so test it with ``is not None``.
    ``origin`` is "ocr" for a line recognised from an image (a scanned page), else "text".
    """

    text: str
    heading_level: int | None = None
    origin: str = "text"


@dataclass
class RawDocument:
    """The text of one source file as lines, plus whatever metadata the file carries."""

    source: SourceFile
    lines: list[RawLine]
    title: str | None = None
    publish_date: str | None = None


class UnreadableFile(Exception):
    """The file cannot be turned into text; ``reason`` is one short line for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Extracted:
    """What a format reader returns; the dispatcher adds the SourceFile around it."""

    lines: list[RawLine] = field(default_factory=list)
    title: str | None = None
    publish_date: str | None = None
    encoding: str | None = None


def lines_from_text(text: str, heading_level: int | None = None) -> list[RawLine]:
    """Split already newline-normalised text into RawLines, one per ``\\n``-separated line.

    A final newline does not produce a trailing empty line; inner empty lines are kept
    because blank lines are the only paragraph signal a plain-text file has.
    """
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [RawLine(part, heading_level) for part in parts]
