"""What is particular to the embedded index folder: layout, versions, locking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import open_engine, rebuilding
from engine.contract import EngineUnavailable, IncompatibleIndex, SearchRequest
from engine.embedded import CURRENT_FILE, VERSION_FILE, EmbeddedEngine
from tests.engine.conftest import load
from tests.engine.documents import CORPUS, MINE, TOWN_A


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
    assert engine.search(SearchRequest(query="职工")).total == 13


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
