"""The JSON shape of a search result: what the API and ``indexer search --json`` return."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from engine.contract import SearchRequest
from engine.embedded import EmbeddedEngine
from tests.engine.conftest import load
from tests.engine.documents import CORPUS


def test_the_json_shape_holds_every_field_of_the_result_its_hits_and_facets(tmp_path: Path) -> None:
    # to_dict is written out by hand for speed; it must not drift from the dataclasses
    # when a field is added to Hit, FacetCount or SearchResult.
    result = load(EmbeddedEngine(tmp_path), CORPUS).search(SearchRequest(query="职工", page_size=5))
    assert result.hits and result.facets
    shape = result.to_dict()
    assert shape == dataclasses.asdict(result)
    json.dumps(shape, ensure_ascii=False)


def test_changing_the_json_shape_leaves_the_hit_as_it_was(tmp_path: Path) -> None:
    hit = load(EmbeddedEngine(tmp_path), CORPUS).search(SearchRequest(query="职工")).hits[0]
    shape = hit.to_dict()
    shape["section_path"].append("改动")
    shape["topics"].append("改动")
    assert "改动" not in hit.section_path and "改动" not in hit.topics
