"""The contract both search backends honour: what goes in, what comes out.

The indexer writes ``IndexDocument``s (one type, analysed beforehand or
not: see ``TokenViews``); the portal and the CLI ask with a
``SearchRequest`` and get a ``SearchResult``. Neither knows which backend
answers. The shared contract test suite (tests/engine/test_contract.py)
runs unchanged against every backend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from engine import facets as registry

#: Facets a user can narrow by, in the order the UI shows them (declared in engine/data/facets.toml).
FACETS: tuple[str, ...] = registry.NAMES

Sort = Literal["relevance", "year"]


@dataclass(frozen=True)
class TokenViews:
    """The analysed views of one paragraph as both indexes hold them: tokens joined by single spaces.

    Made by ``engine.documents.analysed`` (the indexer does it on its worker
    processes, so the process that writes the index segments nothing). They
    remember the text and headings they were made from: a document whose
    text or headings were changed since is analysed again.
    """

    words: str
    chars: str
    context: str
    text: str
    section_path: tuple[str, ...]


@dataclass(frozen=True)
class IndexDocument:
    """One paragraph as the engines store it (article facets copied in)."""

    paragraph_id: str
    article_id: str
    position: int
    text: str
    title: str
    source_path: str
    source_sha256: str
    section_path: tuple[str, ...] = ()
    is_heading: bool = False
    topics: tuple[str, ...] = ()
    quality: float = 0.0
    duplicate_key: str = ""
    #: The id of the first part when this is a part of an over-long paragraph the indexer split
    #: (indexer.splitting.long_paragraphs); "" for a whole paragraph. Parts read as one paragraph.
    part_of: str = ""
    #: "ocr" when the text was recognised from a scanned page (may hold recognition errors), else "text".
    origin: str = "text"
    org_level: str = registry.facet("org_level").unknown
    org_name: str = ""
    township: str = ""
    period: str = registry.facet("period").unknown
    year: int | None = None
    publish_date: str | None = None
    doc_type: str = registry.facet("doc_type").unknown
    org_type: str = registry.facet("org_type").unknown
    #: Where each article facet value came from: "sidecar", "path", "title" or "text".
    origins: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: The token views, when analysed beforehand (engine.documents.analysed); None: the engine analyses.
    views: TokenViews | None = field(default=None, compare=False, hash=False, repr=False)

    def facet_values(self) -> dict[str, list[str]]:
        """The document's value(s) for each facet in ``FACETS``, as strings."""
        out: dict[str, list[str]] = {}
        for facet in registry.all_facets():
            value = getattr(self, facet.field)
            values = list(value) if facet.multi else [value]
            out[facet.name] = [str(v) for v in values if v is not None and v != ""]
        return out


_UNDECLARED = sorted({f.field for f in registry.all_facets()} - {f.name for f in dataclasses.fields(IndexDocument)})
if _UNDECLARED:  # a facet added to the registry needs a field here (and in the index) first
    raise registry.RegistryError(f"facets.toml names fields IndexDocument does not have: {', '.join(_UNDECLARED)}")


@dataclass(frozen=True)
class SearchRequest:
    """A search as the user asked it. ``query`` is raw user text, parsed by engine.query."""

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: Sort = "relevance"
    page: int = 1
    page_size: int = 20
    collapse: bool = True
    facet_size: int = 50
    #: More like this: when set, find paragraphs similar to this text instead of ``query``.
    like_text: str = ""
    #: Duplicate keys left out of a more-like-this search (the paragraph itself and its copies).
    like_exclude: tuple[str, ...] = ()
    #: Search the query's words literally only: no equivalents, rewordings or sub-word fallback (engine.expansion).
    literal: bool = False


@dataclass
class Hit:
    """One paragraph in a result list."""

    paragraph_id: str
    article_id: str
    text: str
    highlighted: str  # HTML: escaped text with <mark> around matches
    fragment: str  # HTML: the best window of a long paragraph (== highlighted when short)
    fragment_start: int  # offsets of the fragment in ``text``
    fragment_end: int
    match_count: int
    score: float
    title: str
    section_path: list[str]
    is_heading: bool
    topics: list[str]
    org_level: str
    org_name: str
    township: str
    period: str
    year: int | None
    source_path: str
    duplicate_key: str
    duplicate_count: int = 0
    doc_type: str = ""
    org_type: str = ""  # other copies collapsed under this hit
    publish_date: str | None = None  # for a complete source line
    part_of: str = ""  # the logical paragraph this part belongs to (IndexDocument.part_of)
    origin: str = "text"  # "ocr" when recognised from a scanned page

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the API returns for a hit."""
        # Field by field rather than dataclasses.asdict, whose deep copies cost more than the page's highlighting.
        out = {name: getattr(self, name) for name in _HIT_FIELDS}
        out["section_path"], out["topics"] = list(self.section_path), list(self.topics)
        return out


_HIT_FIELDS = tuple(f.name for f in dataclasses.fields(Hit))


@dataclass
class FacetCount:
    """One value of a facet with the number of matching paragraphs."""

    value: str
    count: int
    selected: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one facet value."""
        return {"value": self.value, "count": self.count, "selected": self.selected}


@dataclass
class SearchResult:
    """What a search returns, identical in shape for every backend."""

    total: int  # matching paragraphs, before duplicate collapse
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    page: int
    page_size: int
    terms: list[str] = field(default_factory=list)  # the positive terms highlighted
    #: What was searched besides the query's own words ("同时检索：…"); empty when literal or nothing added.
    expanded: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by the portal API and ``indexer search --json``."""
        return {
            "total": self.total,
            "took_ms": self.took_ms,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [value.to_dict() for value in values] for name, values in self.facets.items()},
            "page": self.page,
            "page_size": self.page_size,
            "terms": list(self.terms),
            "expanded": list(self.expanded),
        }


class EngineUnavailable(RuntimeError):
    """The backend cannot be reached (server down, index missing)."""


class IncompatibleIndex(RuntimeError):
    """The index on disk was built by an incompatible schema/analysis version."""


class SearchEngine(Protocol):
    """What the indexer and the portal may ask of a backend."""

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a search: matching, filters, disjunctive facets, ranking, highlight, collapse.

        Headings are never hits: a term may occur in a paragraph or in the
        headings above it (its section path), and a heading is returned only
        when its article has nothing but headings. With ``like_text`` the
        search finds paragraphs similar to that text (more like this).
        """
        ...

    def article(self, article_id: str) -> list[IndexDocument]:
        """All paragraphs of one article, in reading order (empty if unknown)."""
        ...

    def copies(self, duplicate_key: str) -> list[IndexDocument]:
        """Every paragraph sharing a duplicate key, ordered by paragraph_id.

        A paragraph indexed without a duplicate key is its own group: its key
        (and ``Hit.duplicate_key``) is its paragraph_id.
        """
        ...

    def sources(self) -> dict[str, str]:
        """Indexed source files: path → sha256 (drives incremental ingest)."""
        ...

    def replace_source(self, source_path: str, documents: Iterable[IndexDocument]) -> None:
        """Drop the paragraphs of one source file and add these in their place.

        A document that carries its ``views`` (``engine.documents.analysed``:
        the indexer segments on worker processes) is not segmented again.
        """
        ...

    def delete_source(self, source_path: str) -> None:
        """Drop every paragraph of one source file."""
        ...

    def commit(self) -> None:
        """Make all writes so far durable and visible to searches."""
        ...

    def stats(self) -> dict[str, Any]:
        """Reachability and size: documents, articles, bytes on disk where known."""
        ...

    def close(self) -> None:
        """Release files, writers and connections."""
        ...

    # Rebuild: write a complete fresh index beside the live one and swap it in
    # atomically. Between begin and finish, writes (replace_source,
    # delete_source, commit) go to the fresh index while every read (search,
    # article, copies, sources, stats) keeps answering from the live one.
    # engine.rebuilding(engine) wraps the three calls in a context manager.

    def begin_rebuild(self) -> None:
        """Start an empty fresh index; the live one keeps serving (RuntimeError if one is under way)."""
        ...

    def finish_rebuild(self) -> None:
        """Commit the fresh index and make it the live one atomically; the old one is removed."""
        ...

    def abort_rebuild(self) -> None:
        """Discard the fresh index; the live one is left exactly as it was (no-op if none)."""
        ...
