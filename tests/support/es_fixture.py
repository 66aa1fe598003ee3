"""Pytest plugin providing a real Elasticsearch node to the test suite.

Register from ``tests/conftest.py`` with::

    pytest_plugins = ["tests.support.es_fixture"]

Environment:
    ES_URL         use this already-running node instead of starting one.
    CI=true        Elasticsearch is mandatory: failing to get one fails the
                   tests that need it instead of skipping them.
    ES_TEST_CACHE  where the distribution is cached (see elasticsearch_node).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from typing import NoReturn

import pytest

from tests.support.elasticsearch_node import (
    ElasticsearchNode,
    fetch_info,
    provision_elasticsearch,
)


def ci_requires_elasticsearch() -> bool:
    """True when running under CI, where a missing Elasticsearch is an error."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _announce(config: pytest.Config, message: str) -> None:
    """Print one line to the real terminal, even while pytest captures output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capman = config.pluginmanager.get_plugin("capturemanager")
    # Fixture setup runs with fd-level capture active; without suspending it the
    # line would land in the test's captured output and only show on failure.
    suspended = capman.global_and_fixture_disabled() if capman is not None else nullcontext()
    with suspended:
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(message, bold=True)
        else:
            print(message, file=sys.stderr)


def _unavailable(config: pytest.Config, reason: str) -> NoReturn:
    if ci_requires_elasticsearch():
        _announce(config, f"Elasticsearch REQUIRED (CI=true) but not available: {reason}")
        pytest.fail(f"Elasticsearch is mandatory under CI=true but not available: {reason}", pytrace=False)
    # The skip reason is otherwise only listed with -rs, so say it out loud too.
    _announce(config, f"Elasticsearch not available, skipping tests that need it: {reason}")
    pytest.skip(f"Elasticsearch not available: {reason}")


def _describe(info: dict) -> str:
    version = info.get("version", {})
    return f"version {version.get('number', '?')}, build_hash {version.get('build_hash', '?')}"


@pytest.fixture(scope="session")
def elasticsearch_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of a real Elasticsearch node.

    Uses ``$ES_URL`` when set; otherwise provisions Elasticsearch 8.12.2 and
    runs one throwaway node for the whole session, stopped at session end.
    Skips (or fails under ``CI=true``) when no node can be had.
    """
    config = request.config
    external = os.environ.get("ES_URL", "").strip()
    if external:
        info, problem = None, ""
        try:
            info = fetch_info(external)
        except Exception as exc:
            problem = f"ES_URL={external} is not reachable: {exc}"
        # Called outside the except block so the report is not cluttered with
        # "During handling of the above exception" chains.
        if info is None:
            _unavailable(config, problem)
        _announce(config, f"Elasticsearch: using ES_URL={external} ({_describe(info)})")
        yield external.rstrip("/")
        return

    node: ElasticsearchNode | None = None
    problem = ""
    try:
        node = ElasticsearchNode(provision_elasticsearch())
        node.start()
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}"
        if node is not None:
            node.stop()
    if problem or node is None:
        # A pytest skip/fail raised here is cached for the session, so a broken
        # setup is reported for each test without retrying the download.
        _unavailable(config, problem)
    _announce(
        config,
        f"Elasticsearch: started throwaway node at {node.url} (pid {node.pid}, {_describe(node.info)})",
    )
    try:
        yield node.url
    finally:
        node.stop()
