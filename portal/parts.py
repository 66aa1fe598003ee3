"""Parts of a split paragraph, read as the one paragraph they are.

The indexer cuts a paragraph over 4,000 characters into parts (ids
``<paragraph>``, ``<paragraph>.0001``, …) that all carry ``part_of``, the
first part's id (indexer.splitting.long_paragraphs). Search finds a part;
everything a person reads, copies, collects or exports gets the whole
paragraph: the parts' texts joined, which is exactly the original text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TypeVar

from engine.contract import Hit, IndexDocument, SearchEngine

#: A whole paragraph longer than this is not put into a result page's copy data (each hit would carry
#: it): the hit's "在原文中查看" leads to the article, where it is copied whole.
PAGE_TEXT_MAX = 100_000

_Item = TypeVar("_Item", IndexDocument, Hit)


def logical_id(item: IndexDocument | Hit) -> str:
    """The id of the paragraph ``item`` belongs to: the first part's id for a part, else its own."""
    return item.part_of or item.paragraph_id


def join_parts(docs: Iterable[IndexDocument]) -> list[IndexDocument]:
    """``docs`` (one article, reading order) with each split paragraph's parts joined into one.

    The joined paragraph keeps the first part's fields and id; its text is the
    parts' texts in order, and it is OCR when any part is.
    """
    out: list[IndexDocument] = []
    texts: list[str] = []
    for doc in docs:
        last = out[-1] if out else None
        if doc.part_of and last is not None and last.part_of == doc.part_of:
            texts.append(doc.text)
            origin = "ocr" if "ocr" in (last.origin, doc.origin) else last.origin
            out[-1] = dataclasses.replace(last, text="".join(texts), origin=origin)
            continue
        texts = [doc.text]
        out.append(dataclasses.replace(doc, paragraph_id=logical_id(doc)) if doc.part_of else doc)
    return out


def part_ids(docs: Iterable[IndexDocument]) -> dict[str, list[str]]:
    """Logical paragraph id → the ids of its parts, in order, for the split paragraphs among ``docs``."""
    out: dict[str, list[str]] = {}
    for doc in docs:
        if doc.part_of:
            out.setdefault(doc.part_of, []).append(doc.paragraph_id)
    return out


def whole_texts(engine: SearchEngine, items: Sequence[IndexDocument | Hit], limit: int | None = None) -> dict[str, str]:
    """Logical paragraph id → its whole text, for the parts among ``items`` (each article read once).

    With ``limit``, paragraphs longer than that are left out.
    """
    wanted = {item.part_of: item.article_id for item in items if item.part_of}
    out: dict[str, str] = {}
    for article_id in dict.fromkeys(wanted.values()):
        for doc in join_parts(engine.article(article_id)):
            if doc.paragraph_id in wanted and (limit is None or len(doc.text) <= limit):
                out[doc.paragraph_id] = doc.text
    return out


def as_wholes(engine: SearchEngine, items: Sequence[_Item]) -> list[_Item]:
    """``items`` with each part replaced by its whole paragraph (once, where its first part came)."""
    texts = whole_texts(engine, items)
    out: list[_Item] = []
    seen: set[str] = set()
    for item in items:
        key = logical_id(item)
        if key in seen:
            continue
        seen.add(key)
        if item.part_of and key in texts:
            item = dataclasses.replace(item, paragraph_id=key, text=texts[key])
        out.append(item)
    return out
