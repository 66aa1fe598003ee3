"""The query plan's match-only form (plan.matching): the same paragraphs, less to evaluate."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import analysis, plan
from engine.contract import IndexDocument
from engine.embedded import EmbeddedEngine, compile_node
from engine.expansion import expand
from engine.query import parse_query
from tests.engine.conftest import load
from tests.engine.documents import sample_documents


def walk(node: plan.Node) -> list[plan.Node]:
    """``node`` and every node below it."""
    match node:
        case plan.Bool(must, filters, should, must_not):
            children = (*must, *filters, *should, *must_not)
        case plan.Boost(inner) | plan.ConstantScore(inner) | plan.Scaled(inner):
            children = (inner,)
        case plan.Best(nodes):
            children = nodes
        case _:
            children = ()
    return [node, *(n for child in children for n in walk(child))]


def chars(text: str, field: str = "chars") -> plan.Phrase:
    return plan.Phrase(field, tuple(analysis.bigrams(text)))


def test_matching_keeps_no_scoring_clause_and_every_exclusion() -> None:
    parsed = parse_query("职代会 帮扶 -春节")
    node = plan.text_query(parsed, expansion=expand(parsed))
    matched = plan.matching(node)
    kinds = {type(n) for n in walk(matched)}
    assert not kinds & {plan.AnyTerm, plan.Boost, plan.Scaled, plan.Best, plan.ConstantScore}
    assert isinstance(matched, plan.Bool) and not matched.should
    assert matched.must_not == node.must_not  # the excluded word and the headings stay out


def test_a_phrase_containing_another_alternative_is_dropped_in_its_field_only() -> None:
    longer, shorter = chars("教职工代表大会"), chars("职工代表大会")
    in_headings = chars("教职工代表大会", "context")
    either = plan.Bool(should=(plan.Bool(should=(longer, in_headings)), plan.Bool(should=(shorter,))))
    # 职工代表大会 finds every 教职工代表大会; in the headings nothing shorter stands in for it.
    assert plan.matching(either) == plan.Bool(should=(in_headings, shorter))


def test_a_lone_remaining_alternative_stands_for_itself() -> None:
    twice = plan.Bool(should=(chars("送温暖"), plan.Bool(should=(chars("送温暖"),))))
    assert plan.matching(twice) == chars("送温暖")
    assert plan.matching(plan.Boost(plan.Bool(filter=(chars("帮扶"),)), 2.0)) == chars("帮扶")


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedEngine:
    documents: list[IndexDocument] = sample_documents()
    return load(EmbeddedEngine(Path(tmp_path_factory.mktemp("plan"))), documents)


@pytest.mark.parametrize(
    "query",
    ["职代会", "职工代表大会", "送温暖 OR 帮扶", "困难职工 帮扶 -春节", '"集体协商"', "会", "工会 职工", "-职工"],
)
def test_matching_finds_exactly_what_the_scored_query_finds(sample_index: EmbeddedEngine, query: str) -> None:
    parsed = parse_query(query)
    node = plan.text_query(parsed, quality=False, expansion=expand(parsed, lambda term: 0))
    generation = sample_index._generations.live()  # the engine's own searcher: no public way to run a raw query
    assert generation is not None
    searcher, schema = generation.searcher(), generation.schema
    full = searcher.search(compile_node(node, schema), limit=1000).hits
    matched = searcher.search(compile_node(plan.matching(node), schema), limit=1000).hits
    assert full, query
    assert {(a.segment_ord, a.doc) for _, a in matched} == {(a.segment_ord, a.doc) for _, a in full}
