"""What is particular to the embedded index folder: layout, versions, locking, ranking internals."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest
import tantivy

from engine import open_engine, plan, rebuilding
from engine.contract import EngineUnavailable, IncompatibleIndex, SearchRequest
from engine.embedded import CURRENT_FILE, VERSION_FILE, EmbeddedEngine, compile_node, ranking
from engine.embedded.schema import stored_fields
from engine.query import parse_query
from engine.tracing import FACET_COUNTS, RANKING_WINDOW, Timing
from tests.engine.conftest import load
from tests.engine.documents import CORPUS, MINE, TOWN_A, by_id


def generations(index_dir: Path) -> list[str]:
    """Generation folders present in an index folder."""
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir())


def test_open_engine_uses_the_folder_unless_es_url_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ES_URL", raising=False)
    engine = open_engine(tmp_path / "index")
    assert isinstance(engine, EmbeddedEngine) and engine.index_dir == tmp_path / "index"


def test_reading_a_missing_index_creates_nothing(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "index")
    assert engine.search(SearchRequest(query="职工")).total == 0
    assert engine.sources() == {}
    assert engine.stats()["documents"] == 0
    assert not (tmp_path / "index").exists()


def test_the_folder_points_at_one_live_generation(tmp_path: Path) -> None:
    engine = load(EmbeddedEngine(tmp_path), CORPUS)
    live = (tmp_path / CURRENT_FILE).read_text().strip()
    assert generations(tmp_path) == [live]
    assert json.loads((tmp_path / live / VERSION_FILE).read_text())["schema_version"] >= 1
    assert engine.stats()["generation"] == live
    assert engine.stats()["size_bytes"] > 0


def test_a_finished_rebuild_removes_the_old_generation(tmp_path: Path) -> None:
    engine = load(EmbeddedEngine(tmp_path), [d for d in CORPUS if d.source_path == TOWN_A])
    old = generations(tmp_path)
    with rebuilding(engine):
        load(engine, [d for d in CORPUS if d.source_path == MINE])
        assert len(generations(tmp_path)) == 2
    assert len(generations(tmp_path)) == 1 and generations(tmp_path) != old


def test_an_index_of_another_version_is_refused_with_the_fix(tmp_path: Path) -> None:
    load(EmbeddedEngine(tmp_path), CORPUS).close()
    live = (tmp_path / CURRENT_FILE).read_text().strip()
    (tmp_path / live / VERSION_FILE).write_text(json.dumps({"schema_version": 0, "analysis_version": "old"}))
    engine = EmbeddedEngine(tmp_path)
    with pytest.raises(IncompatibleIndex, match="ingest --rebuild"):
        engine.search(SearchRequest(query="职工"))
    with pytest.raises(IncompatibleIndex):
        engine.replace_source(MINE, [])
    # A rebuild does not need to read the old index, and replaces it.
    with rebuilding(engine):
        load(engine, CORPUS)
    assert engine.search(SearchRequest(query="职工")).total == 11  # 13 paragraphs hold 职工; 2 are headings


def test_only_one_writer_at_a_time(tmp_path: Path) -> None:
    first = load(EmbeddedEngine(tmp_path), [d for d in CORPUS if d.source_path == TOWN_A])
    second = EmbeddedEngine(tmp_path)
    with pytest.raises(EngineUnavailable, match="another process"):
        second.replace_source(MINE, [d for d in CORPUS if d.source_path == MINE])
    first.close()  # releases the lock
    load(second, [d for d in CORPUS if d.source_path == MINE])
    assert set(second.sources()) == {TOWN_A, MINE}


def test_a_document_of_another_source_is_rejected(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path)
    with pytest.raises(ValueError, match="belongs to"):
        engine.replace_source(MINE, [d for d in CORPUS if d.source_path == TOWN_A])


def test_ties_beyond_the_first_scored_window_keep_paragraph_id_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 90 identical paragraphs tie on score, more than the first scored window
    # holds. Some ids share their first 8 bytes (the engine's fast tie-break),
    # some do not, and the sources put them in the index in the reverse of id
    # order. Every page must still come out in paragraph_id order, collapsed or not.
    monkeypatch.setattr(ranking, "MARGIN", 4)
    monkeypatch.setattr(ranking, "COLLAPSE_ROOM", 2)
    stems = ("a1c0ffee", "a1c0ffee9", "b7", "c", "d0", "zz")
    pids = [f"{stem}-{n:04d}" for stem in stems for n in range(15, 0, -1)]
    twins = [
        replace(by_id("a003-0001"), paragraph_id=pid, duplicate_key=pid, source_path=f"/s/{99 - i:02d}.txt")
        for i, pid in enumerate(sorted(pids))
    ]
    engine = load(EmbeddedEngine(tmp_path), twins)
    for collapse in (False, True):
        pages = [
            engine.search(SearchRequest(query="送温暖", page=n, page_size=5, collapse=collapse)).hits for n in (1, 2, 3)
        ]
        assert [hit.paragraph_id for page in pages for hit in page] == sorted(pids)[:15]


def test_a_forked_child_can_search_with_the_parents_engine(tmp_path: Path) -> None:
    # gunicorn forks workers from a master that may already have searched;
    # the facet-counting threads do not survive a fork and must be restarted.
    engine = load(EmbeddedEngine(tmp_path), CORPUS)
    expected = engine.search(SearchRequest(query="职工")).total
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports its total through the pipe, then leaves at once
        signal.alarm(20)  # a child stuck waiting for threads it does not have dies instead of hanging the suite
        try:
            os.write(writer, str(engine.search(SearchRequest(query="职工")).total).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as answer:
        assert int(answer.read() or -1) == expected > 0
    os.waitpid(pid, 0)


@pytest.mark.parametrize("query", ["职工", "困难 职工", "送温暖 -重大节日", "职工之家 OR 工会"])
def test_quality_applied_as_a_field_weight_scores_like_the_quality_clause(tmp_path: Path, query: str) -> None:
    # Elasticsearch multiplies by 1 + QUALITY_WEIGHT × quality in a function_score;
    # tantivy multiplies by the quality_weight field instead. Same scores, same order.
    engine = load(EmbeddedEngine(tmp_path), CORPUS)
    generation = engine._generations.live()
    assert generation is not None
    searcher, schema = generation.searcher(), generation.schema
    parsed = parse_query(query)

    unweighted = compile_node(plan.text_query(parsed, quality=False), schema)
    plain = searcher.search(unweighted, limit=100).hits
    weighted = searcher.search(unweighted, limit=100, weight_by_field="quality_weight").hits
    qualities = {(a.segment_ord, a.doc): stored_fields(searcher, a)["quality"] for _, a in plain}
    expected = {
        (a.segment_ord, a.doc): score * plan.quality_factor(qualities[(a.segment_ord, a.doc)]) for score, a in plain
    }
    got = {(a.segment_ord, a.doc): score for score, a in weighted}
    assert got == pytest.approx(expected, rel=1e-5) and len(plain) > 1


@pytest.mark.parametrize("query", ["困难 职工", "送温暖 职工", "职工之家 OR 工会 职工"])
def test_scores_added_beside_the_matches_one_by_one_equal_their_union(tmp_path: Path, query: str) -> None:
    # compile_node chains a bool's optional clauses (tantivy looks for a union's clauses around every match);
    # the sum, and so every score, is that of one union of the same clauses.
    engine = load(EmbeddedEngine(tmp_path), CORPUS)
    generation = engine._generations.live()
    assert generation is not None
    searcher, schema = generation.searcher(), generation.schema
    node = plan.text_query(parse_query(query), quality=False)
    (relevance,) = node.should
    clauses = [(tantivy.Occur.Must, compile_node(plan.Bool(filter=node.filter, must_not=node.must_not), schema))]
    clauses += [(tantivy.Occur.Should, compile_node(n, schema)) for n in relevance.should]
    as_union = tantivy.Query.boolean_query(clauses)

    def scores(query: tantivy.Query) -> dict[tuple[int, int], float]:
        return {(a.segment_ord, a.doc): score for score, a in searcher.search(query, limit=100).hits}

    chained = scores(compile_node(node, schema))
    assert len(relevance.should) > 1 and len(chained) > 1
    assert chained == pytest.approx(scores(as_union), rel=1e-6)


def test_on_timing_reports_each_ranking_window_and_facet_aggregation(tmp_path: Path) -> None:
    # The benchmarks' hook (bench/search_profile.py trace_ranking): no private name is patched to time a search.
    timings: list[Timing] = []
    load(EmbeddedEngine(tmp_path), CORPUS).close()
    engine = EmbeddedEngine(tmp_path, on_timing=timings.append)
    assert engine.search(SearchRequest(query="职工")).total > 0
    windows = [t for t in timings if t.stage == RANKING_WINDOW]
    assert windows and all(t.limit and t.ms >= 0 for t in windows)
    assert [t for t in timings if t.stage == FACET_COUNTS]
    engine.close()
