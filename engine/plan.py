"""A backend-neutral query tree: what to match and how to score, decided once.

engine.query turns user text into terms; this module turns terms and
filters into a small tree of nodes over the index fields. Each backend
compiles the same tree (EmbeddedEngine into tantivy queries,
ElasticsearchEngine into query DSL), so both engines match the same
paragraphs for the same reasons.

Matching (exact, recall-safe) uses the ``chars`` field: every literal run of
a term must occur as a phrase of its bigrams (for a quoted phrase, the runs
one right after the other); a one-character term matches every token that
holds the character. Expansions (engine.expansion) are further alternatives
of a term, scored below the literal term. Scoring uses the ``words`` field
(BM25 over jieba words), the query words' BM25 again when the terms stand
near each other, and a smooth quality factor (1 + QUALITY_WEIGHT ×
quality). Every part is plain BM25, boosted, filtered or multiplied, which
both engines compute alike (a sloppy phrase's own score differs between them).

Headings are context, never hits of their own: a term may occur in the
paragraph or in the headings above it (the ``context`` field, the chars of
its section path), and paragraphs in the quality band "heading" are left
out of every result. A heading of an article that has nothing but headings
is in band "low" instead (engine.documents.settle_headings), so such an
article can still be found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from engine import analysis
from engine import facets as registry
from engine.expansion import NO_EXPANSION, Alternative, Expansion
from engine.query import ParsedQuery, Term

#: Index field behind each facet name of engine.contract.FACETS (from the registry).
FACET_FIELDS: dict[str, str] = registry.fields()

PROXIMITY_SLOP = 3
#: With expansions, a term's own score counts (1 + this) times where the term occurs as typed (in the text or
#: the headings): literal hits first, also those found only through their heading.
LITERAL_WEIGHT = 1.0
#: When consecutive query terms stand within PROXIMITY_SLOP words, the BM25 of the query's own words is added
#: again, this many times (a BM25, so it weighs alike on both engines; a sloppy phrase's own score does not).
PROXIMITY_WEIGHT = 0.5
#: Relevance is multiplied by (1 + this × quality), quality in 0..1 (engine.documents / the indexer).
QUALITY_WEIGHT = 1.5
#: Field holding the paragraph's quality (0..1) that the quality factor reads.
QUALITY_FIELD = "quality"
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


@dataclass(frozen=True)
class Contains:
    """Some token of ``field`` holds the character ``char`` (no scoring).

    A one-character query is indexed only as half of bigrams; this finds
    every bigram that holds it, so 工 finds every paragraph with 工.
    """

    field: str
    char: str


@dataclass(frozen=True)
class Scaled:
    """The score of ``node`` multiplied by (1 + ``weight`` × the paragraph's float ``field``)."""

    node: Node
    field: str
    weight: float


@dataclass(frozen=True)
class Best:
    """Matches when any of ``nodes`` does; scores as the best of them (a dis_max without tie-breaker)."""

    nodes: tuple[Node, ...]


Node = Phrase | AnyTerm | Terms | Range | Bool | Boost | ConstantScore | MatchAll | Contains | Scaled | Best


def matching(node: Node) -> Node:
    """A node that matches exactly the paragraphs ``node`` matches, with nothing that only scores.

    Counting (the total, the facets, a page's copies) needs no scores, yet an
    engine still looks up every term of a scoring clause, so the match count
    costs about half as much without them. Besides dropping what scores,
    nested alternatives are flattened and a phrase is dropped where a shorter
    alternative in the same field is part of it: 教职工代表大会 is found
    wherever it occurs by 职工代表大会 already.
    """
    match node:
        case Boost(inner) | ConstantScore(inner) | Scaled(inner):
            return matching(inner)
        case Best(nodes):
            return matching(Bool(should=nodes))
        case Bool(must, filters, should, must_not):
            required = tuple(matching(n) for n in (*must, *filters))
            excluded = tuple(matching(n) for n in must_not)
            if required:
                # Beside a required clause, a should clause only adds to the score.
                if len(required) == 1 and not excluded:
                    return required[0]
                return Bool(filter=required, must_not=excluded)
            either = _without_subsumed(_alternatives(tuple(matching(n) for n in should)))
            if len(either) == 1 and not excluded:
                return either[0]
            return Bool(should=either, must_not=excluded)
    return node


def _alternatives(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
    """``nodes`` with each pure disjunction among them replaced by its own alternatives."""
    flat: list[Node] = []
    for n in nodes:
        if isinstance(n, Bool) and n.should and not (n.must or n.filter or n.must_not):
            flat.extend(n.should)
        else:
            flat.append(n)
    return tuple(dict.fromkeys(flat))


def _without_subsumed(alternatives: tuple[Node, ...]) -> tuple[Node, ...]:
    """Alternatives less any exact phrase that another exact phrase of the same field is part of."""
    phrases = [n for n in alternatives if isinstance(n, Phrase) and n.slop == 0]
    return tuple(
        n
        for n in alternatives
        if not (
            n in phrases and any(o is not n and o.field == n.field and _part_of(o.tokens, n.tokens) for o in phrases)
        )
    )


def _part_of(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    """``part`` occurs in ``whole`` as consecutive tokens (and is shorter)."""
    n = len(part)
    return n < len(whole) and any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


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
            # A single character is indexed as itself (a lone character) or as
            # half of a bigram: any token holding it, so the match is complete.
            conditions.append(Contains(field, run))
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


def alternative_match(alt: Alternative) -> Node:
    """An expansion matches like a term: every part, each by any of its forms, in the paragraph or its headings."""
    parts = [Bool(should=tuple(term_match(Term(form)) for form in part)) for part in alt.parts]
    return parts[0] if len(parts) == 1 else Bool(filter=tuple(parts))


def alternative_score(alt: Alternative) -> Node:
    """An expansion scores ``alt.weight`` times a literal term's BM25: on its whole words only, averaged.

    Whole words (jieba's precise cut), not every search-mode sub-word, and
    their BM25 divided by their number: 教职工代表大会 would otherwise sum
    the BM25 of 教职工 and 代表大会 and outrank the literal 职代会.
    """
    words = tuple(dict.fromkeys(w for form in alt.forms() for w in _whole_words(form)))
    if not words:
        return MatchAll()
    per_form = sum(len(_whole_words(part[0])) for part in alt.parts)
    return Boost(AnyTerm("words", words), alt.weight / max(1, per_form))


def _whole_words(text: str) -> list[str]:
    """The precise-cut words of ``text`` that the index holds as word tokens (else its longest word token)."""
    tokens = set(analysis.word_tokens(text))
    words = [w for w in analysis.precise_words(text) if w in tokens]
    return words or sorted(tokens, key=len)[-1:]


def proximity(parsed: ParsedQuery) -> Node | None:
    """Consecutive required terms within PROXIMITY_SLOP words of each other, in either order.

    Each pair is a two-word phrase both ways round: for two words, in-order
    sloppy phrases mean the same on tantivy and Elasticsearch (Lucene also
    allows a reversal at a cost, which the reverse phrase covers), so both
    engines agree on which paragraphs are "near".
    """
    reps = [_whole_words(c.alternatives[0].text) for c in parsed.required]
    reps = [r for r in reps if r]
    pairs = [(a[-1], b[0]) for a, b in pairwise(reps) if a[-1] != b[0]]
    if not pairs:
        return None
    near = [
        Bool(should=(Phrase("words", (x, y), PROXIMITY_SLOP), Phrase("words", (y, x), PROXIMITY_SLOP)))
        for x, y in pairs
    ]
    return near[0] if len(near) == 1 else Bool(filter=tuple(near))


def text_query(parsed: ParsedQuery, quality: bool = True, expansion: Expansion = NO_EXPANSION) -> Node:
    """Match every required clause, none of the excluded terms; score by words, proximity and quality.

    A clause matches by any of its terms or their expansions; an expansion
    scores a fraction of a literal term, so at equal relevance literal hits
    come first. ``quality=False`` leaves out the quality multiplier, for an
    engine that multiplies scores by a per-paragraph field itself
    (``quality_factor``): the same scores, without reading the field per hit.
    """
    filters: list[Node] = []
    scores: list[Node] = []
    for clause in parsed.required:
        matches: list[Node] = []
        for term in clause.alternatives:
            matches.append(term_match(term))
            alts = expansion.of(term)
            matches.extend(alternative_match(alt) for alt in alts)
            # The best of the literal term and its expansions, not their sum: a paragraph naming three
            # equivalents is no more relevant than one naming the term itself. With expansions, the term's own
            # words score only where the term occurs as typed: 困难 帮扶 工作 scattered over a paragraph found
            # by the sub-word fallback is an expanded hit, scored as one.
            own_score = term_score(term)
            if alts and own_score != MatchAll():
                own_score = Boost(Bool(must=(own_score,), filter=(term_match(term),)), 1.0 + LITERAL_WEIGHT)
            ways = [s for s in (own_score, *map(alternative_score, alts)) if s != MatchAll()]
            if ways:
                scores.append(ways[0] if len(ways) == 1 else Best(tuple(ways)))
        filters.append(matching(matches[0] if len(matches) == 1 else Bool(should=tuple(matches))))
    # An excluded word is looked for in the paragraph's own text only: a heading
    # that names it does not make every paragraph below it unwanted.
    excluded = (*(literal_match(t) for t in parsed.excluded), not_a_heading())

    if not filters:
        filters.append(MatchAll())
    near = proximity(parsed)
    if near is not None:
        words = tuple(dict.fromkeys(w for c in parsed.required for w in analysis.word_tokens(c.alternatives[0].text)))
        scores.append(Boost(Bool(must=(AnyTerm("words", words),), filter=(near,)), PROXIMITY_WEIGHT))
    return Bool(filter=tuple(filters), should=_scored(scores, quality), must_not=excluded)


def _scored(scores: list[Node], quality: bool) -> tuple[Node, ...]:
    """Relevance (the sum of the BM25 clauses) × (1 + QUALITY_WEIGHT × quality).

    Every clause is plain BM25 (which both engines compute alike), boosted
    or filtered, never a sloppy phrase's own score (which they do not:
    Lucene weighs a match by its distance, tantivy does not).
    The quality factor is smooth: BM25 favours very short texts, so a line
    that merely names a topic would otherwise outrank the paragraph that is
    about it, and a step would make a paragraph just under it rank far lower.
    """
    scores = [s for s in scores if s != MatchAll()]
    if not scores:
        return ()
    relevance = scores[0] if len(scores) == 1 else Bool(should=tuple(scores))
    if quality:
        relevance = Scaled(relevance, QUALITY_FIELD, QUALITY_WEIGHT)
    return (relevance,)


def _with_quality(scores: list[Node], quality: bool) -> tuple[Node, ...]:
    """Relevance times the quality factor (more like this: no proximity)."""
    return _scored(scores, quality)


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
    #: What the expansion added (the results page's "同时检索：…"), in query order.
    expanded: list[str] = field(default_factory=list)


def search_plan(
    parsed: ParsedQuery,
    like_text: str = "",
    like_exclude: tuple[str, ...] = (),
    quality: bool = True,
    expansion: Expansion = NO_EXPANSION,
) -> QueryPlan:
    """The text part of a search: the user's query (with its expansions), or paragraphs like ``like_text``."""
    if like_text:
        return QueryPlan(similar_query(like_text, like_exclude, quality), list(similar_words(like_text)), True)
    terms = list(dict.fromkeys([*parsed.positive_terms(), *expansion.highlight_terms()]))
    return QueryPlan(text_query(parsed, quality, expansion), terms, bool(parsed.required), expansion.added())


def literal_count_query(term: Term, filters: list[Node]) -> Node:
    """The paragraphs a term alone finds under the search's filters (decides the sub-word fallback)."""
    return Bool(filter=(term_match(term), *filters), must_not=(not_a_heading(),))


def word_count_query(term: Term, filters: list[Node]) -> Node | None:
    """Some of literal_count_query's paragraphs, cheaper to count: those holding the term as one indexed word.

    A ``words`` token is a stretch of one run of the paragraph's text, so its
    bigrams stand side by side in the ``chars`` view: every paragraph found
    here is found by the literal match too. One term lookup costs a tenth of
    the phrase count at 1M paragraphs, and for a common term it already
    settles the fallback (engine.expansion.FALLBACK_BELOW). None when the
    term is not one word of the index.
    """
    runs = analysis.literal_runs(term.text)
    if len(runs) != 1 or runs[0] not in analysis.word_tokens(term.text):
        return None
    return Bool(filter=(AnyTerm("words", (runs[0],)), *filters), must_not=(not_a_heading(),))


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


def quality_factor(quality: float) -> float:
    """What ``_scored`` multiplies a paragraph's relevance by: smooth in its quality (0..1)."""
    return 1.0 + QUALITY_WEIGHT * min(1.0, max(0.0, float(quality or 0.0)))


def quality_band(quality: float, is_heading: bool) -> str:
    """Coarse quality for the scoring bonus: headings and boilerplate-like lines score none."""
    if is_heading:
        return HEADING_BAND
    return QUALITY_HIGH if quality >= 0.6 else "low"
