"""Browsing without search words is capped (issue 16, point 6): deep pages of everything cost 74x a search.

With no words there is no ranking to page through, only the whole archive
newest first, and collapsing copies at page 100 x 100 walks 160,000
paragraphs. Such a request is a 400 that says what to do instead.
"""

from __future__ import annotations

from pathlib import Path

from engine.embedded import EmbeddedEngine
from engine.request import MAX_BROWSE_DEPTH
from tests.portal.adminkit import client_of, portal


def test_deep_browsing_without_words_is_refused_with_the_reason(tmp_path: Path, engine: EmbeddedEngine) -> None:
    client = client_of(portal(tmp_path, ENGINE=engine))
    response = client.get("/api/search?page=100&size=100")
    assert response.status_code == 400
    assert "不带检索词" in response.get_json()["error"] and str(MAX_BROWSE_DEPTH) in response.get_json()["error"]
    assert client.get("/?page=100&size=100").status_code == 400
    assert client.get("/api/search?q=-企业&page=100&size=100").status_code == 400  # only exclusions: still browsing
    assert client.get(f"/api/search?page={MAX_BROWSE_DEPTH // 100}&size=100").status_code == 200
    assert client.get("/api/search?q=工会&page=100&size=100").status_code == 200  # a search may go deep
