"""Elasticsearch down at start and mid-run: the portal answers 503 and recovers by itself.

A real Elasticsearch node (tests/support/elasticsearch_node.py) is started
on a loopback port chosen in advance. The portal is pointed at that port
before anything listens there (down at start: 503), then the node is
started (the same portal recovers by itself: 200, although the client has
by then marked the node dead many times over) and stopped again (down
mid-run: 503). The *same* portal object is asked after each step, as a
gunicorn worker would be: no restart, no fake server. One node start costs
about 50 s on the CI machine, so the cycle is not repeated.
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

        node.stop()  # down in the middle of the portal's life
        _down(client)
    finally:
        node.stop()
