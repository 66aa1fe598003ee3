"""Footnotes and endnotes of HTML written by word processors.

A word processor saving a document as HTML keeps each note as a link in the text
(the superscript number) and the note's text in a block of its own, usually at the
end of the page. Read as a browser shows it, the number sticks to the sentence
("…评选优秀作品30篇。1") and the note becomes a paragraph starting with a stray
"1". The readers of .docx and .odt drop the reference mark and put the notes at the
end of the article as "注1：…"; this module does the same for the markup families
that mark their notes:

* LibreOffice: ``<a class="sdfootnoteanc" href="#sdfootnote1sym">`` in the text,
  ``<div id="sdfootnote1">`` holding ``<a class="sdfootnotesym">1</a>`` and the text
  (``sdendnote…`` for endnotes);
* Word ("Web page" and "filtered"): ``<a href="#_ftn1" name="_ftnref1">`` in the
  text, ``<div id="ftn1">`` holding ``<a href="#_ftnref1" name="_ftn1">[1]</a>``
  (``_edn`` for endnotes);
* HTML5 / EPUB and Pandoc: ``<a role="doc-noteref">`` or ``<a class="footnote-ref">``
  linking to the note's element (``<li id="fn1">``, ``<aside id="fn1">``).

A plain in-page link is never taken for a note: only these marks are.
"""

from __future__ import annotations

import re

from bs4 import Tag

_LIBREOFFICE_REF = frozenset({"sdfootnoteanc", "sdendnoteanc"})
_WORD_REF = re.compile(r"^#_(?:ftn|edn)\d+$")
_MARKED_REF_CLASSES = frozenset({"footnote-ref", "footnote-reference", "noteref"})
# The note's own number, and the link back to the text, inside the note.
_NOTE_NUMBER_CLASSES = frozenset({"sdfootnotesym", "sdendnotesym", "footnote-back"})
# Elements that hold a whole note (possibly several paragraphs) in these families.
_NOTE_CONTAINERS = ("div", "aside", "li", "section")
# A "note" longer than this is not a note but the page around the link.
_MAX_NOTE_CHARS = 3000


def take_notes(content: Tag, root: Tag) -> list[Tag]:
    """Remove note references from ``content``; return the notes they point to, detached, in order.

    The notes are looked up anywhere under ``root`` (LibreOffice puts them after the
    text, outside any container) and taken out of the tree, so that the caller can
    lay them out at the end. A reference whose note cannot be found stays as it is.
    """
    notes: list[Tag] = []
    taken: set[str] = set()
    for anchor in content.find_all("a"):
        if anchor.decomposed or not _is_note_reference(anchor):
            continue
        target = str(anchor.get("href", ""))[1:]
        if target in taken:  # a second reference to a note already taken
            _remove_reference(anchor)
            continue
        note = _note_of(anchor, target, root)
        if note is None:
            continue
        _drop_back_links(note, anchor, target)
        note.extract()
        _remove_reference(anchor)
        taken.add(target)
        notes.append(note)
    return notes


def _classes(element: Tag) -> set[str]:
    classes = element.get("class") or []
    return {classes} if isinstance(classes, str) else set(classes)


def _is_note_reference(anchor: Tag) -> bool:
    href = anchor.get("href")
    if not isinstance(href, str) or not href.startswith("#") or len(href) < 2:
        return False
    if _classes(anchor) & (_LIBREOFFICE_REF | _MARKED_REF_CLASSES) or anchor.get("role") == "doc-noteref":
        return True
    return bool(_WORD_REF.match(href))


def _note_of(anchor: Tag, target: str, root: Tag) -> Tag | None:
    """The element holding the whole note that ``target`` names, or None."""
    found = root.find(id=target) or root.find("a", attrs={"name": target})
    if not isinstance(found, Tag):
        return None
    note = found
    if found.name == "a":
        # The link lands on the note's own number; the note is the container around it.
        note = next((parent for parent in found.parents if parent.name in _NOTE_CONTAINERS), None)
        if note is None:
            note = found.find_parent("p")
    if note is None or note.name in ("body", "html") or any(parent is note for parent in anchor.parents):
        return None
    if len(note.get_text()) > _MAX_NOTE_CHARS:
        return None
    return note


def _drop_back_links(note: Tag, anchor: Tag, target: str) -> None:
    """The note's own number ("1", "[1]") and its "↩" link back to the text are not its text."""
    back = {f"#{name}" for name in (anchor.get("name"), anchor.get("id")) if isinstance(name, str)}
    for link in note.find_all("a"):
        lands_here = link.get("name") == target or link.get("id") == target or link.get("href") in back
        if lands_here or _classes(link) & _NOTE_NUMBER_CLASSES:
            link.decompose()


def _remove_reference(anchor: Tag) -> None:
    """Take the reference mark out, with a ``<sup>`` around it that holds nothing else."""
    parent = anchor.parent
    anchor.decompose()
    if isinstance(parent, Tag) and parent.name == "sup" and not parent.get_text(strip=True):
        parent.decompose()
