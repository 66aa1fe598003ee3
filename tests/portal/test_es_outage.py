"""Elasticsearch down, hung or restarted: the portal answers 503 fast and recovers by itself.

A real Elasticsearch node (tests/support/elasticsearch_node.py) is started
on a loopback port chosen in advance. The portal is pointed at that port
before anything listens there (down at start: 503), then the node is
started (the same portal recovers by itself: 200, although the client has
by then marked the node dead many times over), frozen with SIGSTOP (hung:
it keeps its port and answers nothing — 503 fast, not after minutes),
resumed (found again by the breaker's probe), stopped (down mid-run: 503)
and started again on the same address (recovers again). The *same* portal
object is asked after each step, as a gunicorn worker would be: no
restart, no fake server. One node start costs about 50 s on the CI
machine, so the cycle is not repeated.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine.elastic import ElasticsearchEngine
from tests.portal.adminkit import client_of, portal
from tests.portal.corpus import synthetic_documents
from tests.support import elasticsearch_node as es_node

pytestmark = pytest.mark.filterwarnings("ignore::elasticsearch.ElasticsearchWarning")


def _load(url: str, alias: str) -> None:
    writer = ElasticsearchEngine(url=url, alias=alias)
    try:
        docs = synthetic_documents()
        writer.replace_source(docs[0].source_path, docs)
        writer.commit()
    finally:
        writer.close()


def _eventually(check: Callable[[], bool], seconds: float = 30.0) -> bool:
    """True once ``check`` holds (the client may keep a node marked dead for a few seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return check()


def _down(client: FlaskClient) -> None:
    page = client.get("/?q=晨曦计划")
    assert page.status_code == 503
    assert "检索引擎暂时不可用" in page.get_data(as_text=True)
    assert "127.0.0.1" not in page.get_data(as_text=True)  # details go to the log, not to the user
    api = client.get("/api/search?q=晨曦计划")
    assert api.status_code == 503 and api.headers["Content-Type"] == "application/json; charset=utf-8"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"


def _up(client: FlaskClient) -> bool:
    response = client.get("/api/search?q=晨曦计划")
    return (
        response.status_code == 200 and response.get_json()["total"] >= 3 and client.get("/healthz").status_code == 200
    )


def test_portal_gives_503_while_elasticsearch_is_down_and_recovers_by_itself(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    request.getfixturevalue("elasticsearch_url")  # skips (or fails under CI) when no node can be had
    home = es_node.provision_elasticsearch()  # cached by the session node: no download here
    port = es_node._free_port()
    original = es_node._free_port
    # The node must come back on the port the portal was configured with.
    monkeypatch.setattr(es_node, "_free_port", lambda exclude=None: port if exclude is None else original(exclude))
    url, alias = f"http://127.0.0.1:{port}", f"outage-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("ES_URL", url)
    monkeypatch.setenv("ES_INDEX", alias)

    client = client_of(portal(tmp_path))  # created while nothing listens on the port
    _down(client)

    node = es_node.ElasticsearchNode(home, heap="512m")
    try:
        node.start()
        assert node.url == url
        _load(url, alias)
        assert _eventually(lambda: _up(client)), "the portal did not recover after Elasticsearch started"

        node.pause()  # hung: the port accepts connections, nothing answers
        try:
            started = time.monotonic()
            for _ in range(5):
                _down(client)  # 15 requests
            # Before the breaker each request took 120 s (30 s x 4 tries). The bound is generous on
            # purpose: it only proves "fails fast instead of hanging", not a speed.
            assert time.monotonic() - started < 60
        finally:
            node.resume()
        assert _eventually(lambda: _up(client)), "the portal did not find the resumed node again"

        node.stop()  # down in the middle of the portal's life
        _down(client)
        node = es_node.ElasticsearchNode(home, heap="512m")
        node.start()  # restarted on the same address, with an empty data folder
        assert node.url == url
        _load(url, alias)
        assert _eventually(lambda: _up(client)), "the portal did not recover after Elasticsearch restarted"
    finally:
        node.resume()
        node.stop()
