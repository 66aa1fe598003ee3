"""A backend-neutral query tree: what to match and how to score, decided once.

engine.query turns user text into terms; this module turns terms and
filters into a small tree of nodes over the index fields. Each backend
compiles the same tree (EmbeddedEngine into tantivy queries,
ElasticsearchEngine into query DSL), so both engines match the same
paragraphs for the same reasons.

Matching (exact, recall-safe) uses the ``chars`` field: every literal run of
a term must occur as a phrase of its bigrams (for a quoted phrase, the runs
one right after the other). Scoring uses the ``words`` field (BM25 over
jieba words), a proximity bonus when several terms are near each other, and
a multiplier for substantial paragraphs (quality band "high").

Headings are context, never hits of their own: a term may occur in the
paragraph or in the headings above it (the ``context`` field, the chars of
its section path), and paragraphs in the quality band "heading" are left
out of every result. A heading of an article that has nothing but headings
is in band "low" instead (engine.documents.settle_headings), so such an
article can still be found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine import analysis
from engine import facets as registry
from engine.query import ParsedQuery, Term

#: Index field behind each facet name of engine.contract.FACETS (from the registry).
FACET_FIELDS: dict[str, str] = registry.fields()

PROXIMITY_SLOP = 3
PROXIMITY_BOOST = 2.0
QUALITY_WEIGHT = 1.0
QUALITY_HIGH = "high"
#: Quality band of a heading that introduces body paragraphs: context only, never a hit.
HEADING_BAND = "heading"
#: Field holding the chars of a paragraph's section path (its headings).
CONTEXT_FIELD = "context"
#: Words taken from a paragraph to find paragraphs like it.
SIMILAR_WORDS = 16


@dataclass(frozen=True)
class Phrase:
    """All tokens occur in ``field`` at consecutive positions (within ``slop``)."""

    field: str
    tokens: tuple[str, ...]
    slop: int = 0


@dataclass(frozen=True)
class AnyTerm:
    """Scores by BM25 on each token present in ``field``; matches when any is."""

    field: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Terms:
    """The keyword ``field`` equals one of ``values`` (no scoring)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    """An integer ``field`` lies in [gte, lte]; either bound may be open."""

    field: str
    gte: int | None = None
    lte: int | None = None


@dataclass(frozen=True)
class Bool:
    """``must`` score and match, ``filter`` only match, ``should`` only score, ``must_not`` exclude.

    With no ``must`` and no ``filter``, at least one ``should`` must match
    (``match_all`` turns that off and matches everything).
    """

    must: tuple[Node, ...] = ()
    filter: tuple[Node, ...] = ()
    should: tuple[Node, ...] = ()
    must_not: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Boost:
    """Multiplies the score of ``node``."""

    node: Node
    factor: float


@dataclass(frozen=True)
class ConstantScore:
    """Matches like ``node`` with a fixed score."""

    node: Node
    score: float


@dataclass(frozen=True)
class MatchAll:
    """Every document."""


Node = Phrase | AnyTerm | Terms | Range | Bool | Boost | ConstantScore | MatchAll


def phrase_match(runs: list[str], field: str = "chars") -> Node:
    """A quoted phrase of several runs: the runs occur one right after the other.

    Between two runs the text may hold any separator (the chars view puts a
    single RUN_BREAK for any stretch of punctuation and spaces) or none, so
    "元旦、春节" also finds 元旦，春节 and 元旦春节, but never 春节…元旦.
    """
    separated: list[str] = []
    for run in runs:
        if separated:
            separated.append(analysis.RUN_BREAK)
        separated.extend(analysis.bigrams(run))
    joined = analysis.bigrams("".join(runs))
    return Bool(should=(Phrase(field, tuple(separated)), Phrase(field, tuple(joined))))


def literal_match(term: Term, field: str = "chars") -> Node:
    """The exact, recall-safe condition for one term in one chars-like field (in order for a phrase)."""
    runs = analysis.literal_runs(term.text)
    if term.phrase and len(runs) > 1 and all(len(run) > 1 for run in runs):
        # Only runs of two or more characters can be chained: a lone
        # character at either end may be half of a bigram in the text.
        return phrase_match(runs, field)
    conditions: list[Node] = []
    for run in runs:
        if len(run) == 1:
            # A single character is only indexed as a bigram's half, so fall
            # back to words: best effort, outside the recall guarantee.
            if field == "chars":
                conditions.append(Bool(should=(AnyTerm("words", (run,)), Phrase(field, (run,)))))
            else:
                conditions.append(Phrase(field, (run,)))
        else:
            conditions.append(Phrase(field, tuple(analysis.bigrams(run))))
    if not conditions:
        # Pure punctuation: nothing can match it literally in the chars view.
        return Bool(should=(), must_not=(MatchAll(),))
    return conditions[0] if len(conditions) == 1 else Bool(filter=tuple(conditions))


def term_match(term: Term) -> Node:
    """One term occurs in the paragraph itself or in the headings above it (its context).

    Each term may be found in either place, so 送温暖 困难职工 finds the
    paragraph about 困难职工 under the heading 五、努力为职工送温暖办实事.
    """
    own = literal_match(term)
    return Bool(should=(own, literal_match(term, CONTEXT_FIELD)))


def not_a_heading() -> Node:
    """Excludes headings that introduce body paragraphs (they are context, never a hit)."""
    return Terms("quality_band", (HEADING_BAND,))


def term_score(term: Term) -> Node:
    """BM25 on the term's words (scoring only)."""
    words = tuple(dict.fromkeys(analysis.word_tokens(term.text)))
    return AnyTerm("words", words) if words else MatchAll()


def text_query(parsed: ParsedQuery, quality: bool = True) -> Node:
    """Match every required clause, none of the excluded terms; score by words and proximity.

    ``quality=False`` leaves out the quality multiplier, for an engine that
    multiplies scores by a per-paragraph field instead (``quality_factor``):
    the same scores, without scoring every matching paragraph twice.
    """
    filters: list[Node] = []
    scores: list[Node] = []
    for clause in parsed.required:
        if len(clause.alternatives) == 1:
            filters.append(term_match(clause.alternatives[0]))
        else:
            filters.append(Bool(should=tuple(term_match(t) for t in clause.alternatives)))
        scores.extend(term_score(t) for t in clause.alternatives)
    # An excluded word is looked for in the paragraph's own text only: a heading
    # that names it does not make every paragraph below it unwanted.
    excluded = (*(literal_match(t) for t in parsed.excluded), not_a_heading())

    positive = [c.alternatives[0] for c in parsed.required]
    if len(positive) > 1:
        words = tuple(w for t in positive for w in analysis.word_tokens(t.text))
        if len(words) > 1:
            scores.append(Boost(Phrase("words", words, slop=PROXIMITY_SLOP), PROXIMITY_BOOST))

    if not filters:
        filters.append(MatchAll())
    return Bool(filter=tuple(filters), should=_with_quality(scores, quality), must_not=excluded)


def _with_quality(scores: list[Node], quality: bool) -> tuple[Node, ...]:
    """Scale the relevance of substantial paragraphs by (1 + QUALITY_WEIGHT).

    A multiplier, not a constant bonus: BM25 favours very short texts, so a
    heading that merely names a topic would otherwise outrank the paragraph
    that is about it, whatever the query's own score range. The relevance is
    repeated under a quality filter because a boost factor is the only
    multiplication both engines express the same way.
    """
    scores = [s for s in scores if s != MatchAll()]
    if not scores or not quality:
        return tuple(scores)
    relevance = scores[0] if len(scores) == 1 else Bool(should=tuple(scores))
    substantial = Bool(must=(relevance,), filter=(Terms("quality_band", (QUALITY_HIGH,)),))
    return (relevance, Boost(substantial, QUALITY_WEIGHT))


def similar_words(text: str, limit: int = SIMILAR_WORDS) -> tuple[str, ...]:
    """The words of ``text`` that best say what it is about: the most frequent, then the longest.

    Single characters and numbers carry little meaning; the engines' BM25
    (inverse document frequency) then weighs the common words down.
    """
    counts: dict[str, int] = {}
    for word in analysis.word_tokens(text):
        if len(word) >= 2 and not word.isdigit() and not word.isascii():
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], -len(w), w))
    return tuple(ranked[:limit])


def similar_query(text: str, exclude_keys: tuple[str, ...], quality: bool = True) -> Node:
    """Paragraphs sharing the significant words of ``text``, best first; the excluded duplicate groups left out."""
    words = similar_words(text)
    if not words:
        return Bool(should=(), must_not=(MatchAll(),))
    excluded: list[Node] = [not_a_heading()]
    if exclude_keys:
        excluded.append(Terms("duplicate_key", tuple(exclude_keys)))
    return Bool(
        filter=(AnyTerm("words", words),),
        should=_with_quality([AnyTerm("words", words)], quality),
        must_not=tuple(excluded),
    )


@dataclass(frozen=True)
class QueryPlan:
    """What one search matches (``node``), what it highlights, and whether it has a relevance order."""

    node: Node
    terms: list[str]
    ranked: bool


def search_plan(
    parsed: ParsedQuery, like_text: str = "", like_exclude: tuple[str, ...] = (), quality: bool = True
) -> QueryPlan:
    """The text part of a search: the user's query, or paragraphs like ``like_text`` when given."""
    if like_text:
        return QueryPlan(similar_query(like_text, like_exclude, quality), list(similar_words(like_text)), True)
    return QueryPlan(text_query(parsed, quality), parsed.positive_terms(), bool(parsed.required))


def facet_filter(facet: str, values: tuple[str, ...]) -> Node:
    """OR within one facet."""
    return Terms(FACET_FIELDS[facet], tuple(values))


def filters_except(
    filters: Mapping[str, tuple[str, ...]],
    year_from: int | None,
    year_to: int | None,
    skip: str | None = None,
) -> list[Node]:
    """AND across facets, leaving out ``skip`` (its counts ignore its own selection)."""
    nodes: list[Node] = [facet_filter(f, v) for f, v in filters.items() if v and f != skip]
    years = registry.year_facet()
    if years is not None and skip != years.name and (year_from is not None or year_to is not None):
        nodes.append(Range(years.field, year_from, year_to))
    return nodes


def quality_factor(band: str) -> float:
    """What ``_with_quality`` multiplies a paragraph's relevance by."""
    return 1.0 + QUALITY_WEIGHT if band == QUALITY_HIGH else 1.0


def quality_band(quality: float, is_heading: bool) -> str:
    """Coarse quality for the scoring bonus: headings and boilerplate-like lines score none."""
    if is_heading:
        return HEADING_BAND
    return QUALITY_HIGH if quality >= 0.6 else "low"
