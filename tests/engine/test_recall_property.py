"""The recall guarantee: a search finds every paragraph that contains the query, like Ctrl-F.

Queries are drawn from the paragraphs themselves: any 2–4 character stretch
of text whose literal runs are at least two characters long (a lone
character between punctuation is outside the guarantee; see engine.plan).
The expected set is computed by plain substring search on folded text.
"""

from __future__ import annotations

import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import analysis
from engine.contract import IndexDocument, SearchEngine, SearchRequest
from engine.highlight import strip_marks
from tests.engine.conftest import EngineFactory
from tests.engine.documents import sample_documents

DOCUMENTS = sample_documents()
FOLDED = [analysis.fold(d.text) for d in DOCUMENTS]
#: Characters with a meaning in the query syntax; a query containing them tests the parser, not recall.
_SYNTAX = set(' \t"“”「」『』＂-－—\u2212\u3000')


@pytest.fixture(scope="module")
def samples(engine_factory: EngineFactory) -> SearchEngine:
    """Every sample line, indexed once per backend."""
    return engine_factory.loaded(DOCUMENTS)


def literal_matches(query: str) -> set[str]:
    """What Ctrl-F over the folded texts finds."""
    needle = analysis.fold(query)
    return {d.paragraph_id for d, folded in zip(DOCUMENTS, FOLDED, strict=True) if needle in folded}


def within_guarantee(text: str) -> bool:
    """Two or more characters in every run, and nothing the query parser would read as syntax."""
    runs = analysis.literal_runs(text)
    return bool(runs) and all(len(r) >= 2 for r in runs) and not _SYNTAX.intersection(text) and text != "OR"


@st.composite
def substrings(draw: st.DrawFn, longest: int = 4) -> str:
    """A stretch of 2 to ``longest`` characters of one sample paragraph."""
    doc: IndexDocument = draw(st.sampled_from([d for d in DOCUMENTS if len(d.text) >= longest]))
    length = draw(st.integers(2, longest))
    start = draw(st.integers(0, len(doc.text) - length))
    return doc.text[start : start + length]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=substrings().filter(within_guarantee))
def test_every_paragraph_containing_the_query_is_found(samples: SearchEngine, query: str) -> None:
    expected = literal_matches(query)
    result = samples.search(SearchRequest(query=query, page_size=len(DOCUMENTS), collapse=False))
    found = {hit.paragraph_id for hit in result.hits}
    assert expected <= found, f"{query!r} missed {sorted(expected - found)[:5]}"
    assert result.total == len(result.hits)
    for hit in result.hits:
        assert html.unescape(strip_marks(hit.highlighted)) == hit.text
        if hit.paragraph_id in expected:
            assert hit.match_count >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=substrings(longest=7).filter(within_guarantee))
def test_a_quoted_query_finds_exactly_the_literal_matches(samples: SearchEngine, query: str) -> None:
    # Up to 7 characters, so that phrases spanning punctuation (工会，职工) are drawn too.
    result = samples.search(SearchRequest(query=f'"{query}"', page_size=len(DOCUMENTS), collapse=False))
    found = {hit.paragraph_id for hit in result.hits}
    expected = literal_matches(query)
    assert expected <= found
    if analysis.literal_runs(query) == [analysis.fold(query)]:
        # Letters and digits only: matched as consecutive bigrams, so nothing but literal occurrences.
        assert found == expected
