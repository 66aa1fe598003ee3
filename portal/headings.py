"""The section headings shown above a hit, with the query's terms marked.

Headings are context, never hits (engine.plan): a term may match only in
the heading above a paragraph (送温暖 in 一、扎实开展送温暖活动 above a
paragraph about 春节慰问), and then the heading is the only place the reader
can see why the paragraph was found. So the heading line marks the same
terms the paragraph does, with the engine's own highlighter, which escapes
the text before adding its ``<mark>`` tags.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from engine.highlight import highlight


def mark_heading(heading: str, terms: Iterable[str] | None) -> Markup:
    """``heading`` escaped, with every occurrence of the search's ``terms`` in ``<mark>``."""
    # A heading is short: the whole of it, never a fragment.
    return Markup(highlight(heading, list(terms or ()), fragment_size=len(heading)).html)  # escaped by engine.highlight
