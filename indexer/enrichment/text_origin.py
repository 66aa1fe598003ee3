"""Which paragraphs were recognised from scanned pages (OCR) rather than typed.

The reader marks each OCR'd line (``RawLine.origin == "ocr"``). Cleaning
then joins, splits and trims lines as plain strings, so the mark cannot ride
on them; instead a paragraph's origin is found afterwards by where its text
comes from. Every cleaning step keeps the author's characters in order (it
drops spaces, bullets and debris lines, and joins or cuts lines), so a
paragraph's text without white space is a run of the document's lines
without white space. A document without OCR lines — nearly all of them —
costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from indexer.model import TextOrigin

_WHITE = re.compile(r"\s+|[\u200b-\u200d\u2060\ufeff]")
#: Length of the pieces compared when a paragraph is not found whole (cleaning removed something inside it).
_PIECE = 8


class OriginLine(Protocol):
    """What this module needs of a line as read (indexer.reading.RawLine fits)."""

    text: str
    origin: str


def _squeeze(text: str) -> str:
    return _WHITE.sub("", unicodedata.normalize("NFC", text))


class TextOrigins:
    """Tells "ocr" from "text" for the paragraphs of one document read as ``lines``."""

    def __init__(self, lines: Iterable[OriginLine]) -> None:
        ocr: list[str] = []
        typed: list[str] = []
        for line in lines:
            (ocr if getattr(line, "origin", "text") == "ocr" else typed).append(line.text)
        # Joined without a separator: a paragraph cleaning glued from several lines is still one run.
        self._ocr = "".join(map(_squeeze, ocr))
        # Without recognised text every paragraph is typed and the typed text is never asked.
        self._typed = "".join(map(_squeeze, typed)) if self._ocr else ""

    def of(self, text: str) -> TextOrigin:
        """ "ocr" when ``text`` was recognised from a scanned page, else "text"."""
        if not self._ocr:
            return "text"
        key = _squeeze(text)
        if not key:
            return "text"
        in_ocr, in_typed = key in self._ocr, key in self._typed
        if in_ocr != in_typed:
            return "ocr" if in_ocr else "text"
        if in_typed:  # the same words typed and scanned: the typed copy is the reliable one
            return "text"
        # Neither holds it whole (a page-number prefix removed inside it): vote piece by piece.
        pieces = [key[i : i + _PIECE] for i in range(0, len(key), _PIECE)]
        scanned = sum(piece in self._ocr for piece in pieces)
        typed = sum(piece in self._typed for piece in pieces)
        return "ocr" if scanned > typed else "text"
