"""Topic counts of the embedded index: a bit per topic name, numbered by each generation (issue 17).

The vocabulary is open, so the index numbers the names it meets and keeps
them in the generation's TOPICS.json. What a user would notice if that went
wrong: a topic counted under another's name, a new topic missing from the
counts, or counts that change after a rebuild or an interrupted ingest.
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from engine import rebuilding
from engine.contract import IndexDocument, SearchRequest
from engine.embedded import CURRENT_FILE, EmbeddedEngine
from engine.embedded.generations import TOPICS_FILE, TooManyTopics
from engine.embedded.schema import TOPIC_BITS
from tests.engine.conftest import load
from tests.engine.documents import CORPUS, HELP

NEW_TOPIC = "职工书屋建设"


def topic_counts(engine: EmbeddedEngine, query: str = "") -> dict[str, int]:
    """The topic facet of a search, every topic listed."""
    result = engine.search(SearchRequest(query=query, facet_size=1000))
    return {f.value: f.count for f in result.facets["topic"]}


def expected_counts(docs: Iterable[IndexDocument]) -> dict[str, int]:
    """Paragraphs per topic, as a search for everything counts them (headings left out: no article is only headings)."""
    return dict(Counter(t for d in docs if not d.is_heading for t in d.topics))


def topic_file(index_dir: Path) -> list[str]:
    """The topic names of the live generation, by bit."""
    live = (index_dir / CURRENT_FILE).read_text().strip()
    return json.loads((index_dir / live / TOPICS_FILE).read_text(encoding="utf-8"))["names"]


def in_new_file(docs: list[IndexDocument], source: str, topics: tuple[str, ...]) -> list[IndexDocument]:
    """Copies of ``docs`` in another source file, with these topics."""
    return [
        replace(d, source_path=source, paragraph_id=f"x{i}-{d.paragraph_id}", article_id=f"x{i}", topics=topics)
        for i, d in enumerate(docs)
    ]


def paragraphs() -> list[IndexDocument]:
    """The corpus paragraphs a search can find (not headings)."""
    return [d for d in CORPUS if not d.is_heading]


def test_counts_match_the_paragraphs_topics(tmp_path: Path) -> None:
    engine = load(EmbeddedEngine(tmp_path), CORPUS)
    try:
        assert topic_counts(engine) == expected_counts(CORPUS)
        assert sorted(topic_file(tmp_path)) == sorted({t for d in CORPUS for t in d.topics})
    finally:
        engine.close()


def test_an_incremental_ingest_counts_a_new_topic_and_keeps_the_old_bits(tmp_path: Path) -> None:
    engine = load(EmbeddedEngine(tmp_path), CORPUS)
    try:
        before = topic_file(tmp_path)
        added = in_new_file(paragraphs()[:2], "新增.txt", (NEW_TOPIC, HELP))
        load(engine, added)
        assert topic_file(tmp_path) == [*before, NEW_TOPIC]
        assert topic_counts(engine) == expected_counts([*CORPUS, *added])
    finally:
        engine.close()


def test_a_reader_opened_before_a_new_topic_counts_it_after_the_commit(tmp_path: Path) -> None:
    writer = load(EmbeddedEngine(tmp_path), CORPUS)
    reader = EmbeddedEngine(tmp_path)  # another process, as the portal is
    try:
        assert topic_counts(reader) == expected_counts(CORPUS)
        added = in_new_file(paragraphs()[:3], "新增.txt", (NEW_TOPIC,))
        load(writer, added)
        assert topic_counts(reader) == expected_counts([*CORPUS, *added])
        assert topic_counts(reader, "职工") == topic_counts(writer, "职工")
    finally:
        reader.close()
        writer.close()


def test_topics_added_by_two_writers_in_turn_keep_their_own_bits(tmp_path: Path) -> None:
    # The portal has read the names, then the ingest adds a topic; a correction made in the portal afterwards
    # must not give another topic the bit the ingest took.
    load(EmbeddedEngine(tmp_path), CORPUS).close()
    portal = EmbeddedEngine(tmp_path)
    try:
        assert topic_counts(portal) == expected_counts(CORPUS)
        ingest = EmbeddedEngine(tmp_path)
        first = in_new_file(paragraphs()[:2], "新增.txt", (NEW_TOPIC,))
        load(ingest, first)
        ingest.close()
        second = in_new_file(paragraphs()[:1], "更正.txt", ("另一个新主题",))
        load(portal, second)
        assert topic_file(tmp_path)[-2:] == [NEW_TOPIC, "另一个新主题"]
        assert topic_counts(portal) == expected_counts([*CORPUS, *first, *second])
    finally:
        portal.close()


def test_a_forked_worker_counts_a_topic_committed_after_the_fork(tmp_path: Path) -> None:
    # gunicorn forks its workers from a master that may have searched (and so read the names) already.
    writer = load(EmbeddedEngine(tmp_path), CORPUS)
    reader = EmbeddedEngine(tmp_path)
    added = in_new_file(paragraphs()[:2], "新增.txt", (NEW_TOPIC,))
    try:
        assert NEW_TOPIC not in topic_counts(reader)
        go_read, go_write = os.pipe()
        answer_read, answer_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child waits for the commit, then reports its counts through the pipe
            signal.alarm(20)  # never hang the suite
            try:
                os.read(go_read, 1)
                os.write(answer_write, json.dumps(topic_counts(reader)).encode())
            finally:
                os._exit(0)
        os.close(answer_write)
        load(writer, added)
        os.write(go_write, b"!")
        with os.fdopen(answer_read) as answer:
            assert json.loads(answer.read() or "{}") == expected_counts([*CORPUS, *added])
        os.waitpid(pid, 0)
    finally:
        reader.close()
        writer.close()


def test_a_rebuild_numbers_its_topics_afresh(tmp_path: Path) -> None:
    engine = load(EmbeddedEngine(tmp_path), CORPUS)
    reader = EmbeddedEngine(tmp_path)
    try:
        assert topic_counts(reader) == expected_counts(CORPUS)
        rebuilt = in_new_file(paragraphs()[:3], "重建.txt", (NEW_TOPIC,))
        with rebuilding(engine) as writing:
            writing.replace_source("重建.txt", rebuilt)
        assert topic_file(tmp_path) == [NEW_TOPIC]
        # Bit 0 was another topic in the old generation: the reader must take the new generation's names.
        assert topic_counts(reader) == topic_counts(engine) == {NEW_TOPIC: 3}
    finally:
        reader.close()
        engine.close()


def test_a_topic_of_writes_never_committed_leaves_no_trace(tmp_path: Path) -> None:
    load(EmbeddedEngine(tmp_path), CORPUS).close()
    before = topic_file(tmp_path)
    dropped = EmbeddedEngine(tmp_path)
    dropped.replace_source("丢弃.txt", in_new_file(paragraphs()[:2], "丢弃.txt", ("从未提交",)))
    dropped.close()  # the ingest stopped before its commit
    engine = EmbeddedEngine(tmp_path)
    try:
        added = in_new_file(paragraphs()[:1], "新增.txt", (NEW_TOPIC,))
        load(engine, added)
        assert topic_file(tmp_path) == [*before, NEW_TOPIC]
        assert topic_counts(engine) == expected_counts([*CORPUS, *added])
    finally:
        engine.close()


def test_sixty_four_topics_are_counted_and_a_sixty_fifth_is_refused(tmp_path: Path) -> None:
    names = tuple(f"主题{i:02d}" for i in range(TOPIC_BITS))
    many = in_new_file(paragraphs()[:2], "多主题.txt", names)  # bit 63 too: the top bit of the u64 column
    engine = load(EmbeddedEngine(tmp_path), many)
    try:
        assert topic_counts(engine) == dict.fromkeys(names, 2)
        extra = in_new_file(paragraphs()[:1], "再多.txt", ("第六十五个主题",))
        with pytest.raises(TooManyTopics, match=f"at most {TOPIC_BITS} distinct topics"):
            engine.replace_source("再多.txt", extra)
    finally:
        engine.close()
