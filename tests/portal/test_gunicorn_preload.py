"""deploy/gunicorn.conf.py preloads the read-only data in the master, and the forked workers still serve.

The master must open nothing a worker could inherit by mistake: no index file,
no thread, no socket (portal.engine_access opens the engine in each worker).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.contract import SearchRequest
from engine.embedded import EmbeddedEngine, generations

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")

#: Run in a fresh interpreter: the config's preload, then what the process holds, as JSON.
_PRELOAD_PROBE = """
import gc, json, os, runpy, sys, threading
config = runpy.run_path(sys.argv[1])
config["on_starting"](None)
from engine import analysis
fds = []
for fd in os.listdir("/proc/self/fd"):
    try:
        fds.append(os.readlink(f"/proc/self/fd/{fd}"))
    except FileNotFoundError:  # the descriptor listdir itself used
        pass
print(json.dumps({
    "os_threads": len(os.listdir("/proc/self/task")),
    "python_threads": threading.active_count(),
    "sockets": [fd for fd in fds if fd.startswith("socket:")],
    "index_files": [fd for fd in fds if fd.startswith(sys.argv[2])],
    "index_mapped": sys.argv[2] in open("/proc/self/maps").read(),
    "frozen": gc.get_freeze_count(),
    "tokenizer_loaded": analysis._tokenizer is not None,
    "fold_table": len(analysis._FOLD_TABLE),
    "modules": [m for m in ("portal", "engine.embedded", "engine.elastic", "tantivy") if m in sys.modules],
}))
"""


def _preload_in_fresh_process(index: Path, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "ES_URL"}
    environment.update(INDEX_DIR=str(index), PORTAL_EPHEMERAL_SECRET="x" * 64, **env)
    result = subprocess.run(
        [sys.executable, "-c", _PRELOAD_PROBE, str(CONFIG), str(index)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_master_preloads_the_shared_data_without_opening_the_index(portal_index: Path) -> None:
    held = _preload_in_fresh_process(portal_index)
    assert held["tokenizer_loaded"] and held["fold_table"] > 20_000
    assert held["modules"] == ["portal", "engine.embedded", "tantivy"]
    assert held["frozen"] > 0  # gc.freeze(): the workers' collections leave inherited objects alone
    # Nothing a worker must own: no thread, no socket, no index file open or mapped.
    assert held["os_threads"] == 1 and held["python_threads"] == 1
    assert held["sockets"] == []
    assert held["index_files"] == [] and not held["index_mapped"]


def test_with_elasticsearch_configured_the_master_imports_that_backend_but_connects_nowhere(
    portal_index: Path,
) -> None:
    # A port nothing listens on: a connection attempt would show as a socket (or a failure).
    held = _preload_in_fresh_process(portal_index, ES_URL="http://127.0.0.1:9")
    assert "engine.elastic" in held["modules"] and "engine.embedded" not in held["modules"]
    assert held["sockets"] == [] and held["os_threads"] == 1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            if _get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail("gunicorn did not become ready")


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed beside this Python")
def test_forked_workers_open_their_own_engine_and_answer_like_the_engine(portal_index: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "INDEX_DIR": str(portal_index)}
    env.update(WEB_CONCURRENCY="2", LOG_LEVEL="warning", PORTAL_EPHEMERAL_SECRET="x" * 64)
    env.pop("ES_URL", None)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(GUNICORN), "--config", str(CONFIG), "--access-logfile", "/dev/null"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(port, server)
        answers = [_get(port, "/api/search?q=%E5%B7%A5%E4%BC%9A&size=5") for _ in range(6)]  # 工会, on both workers
        page = _get(port, "/?q=%E8%81%8C%E5%B7%A5")  # 职工
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert all(status == 200 for status, _ in answers), log.read_text(errors="replace")
    reader = EmbeddedEngine(portal_index)
    try:
        expected = reader.search(SearchRequest(query="工会", page_size=5))
    finally:
        reader.close()
    for _, body in answers:
        found = json.loads(body)
        assert found["total"] == expected.total > 0
        assert [h["paragraph_id"] for h in found["hits"]] == [h.paragraph_id for h in expected.hits]
    assert page[0] == 200 and "职工" in page[1].decode()


class _CountingIndex:
    """A tantivy index that counts reloads (and fails them when told to), delegating the rest."""

    def __init__(self, index: object, fail: bool = False) -> None:
        self._index, self.fail, self.reloads = index, fail, 0

    def reload(self) -> None:
        self.reloads += 1
        if self.fail:
            raise ValueError("the folder is gone")
        self._index.reload()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._index, name)


@contextlib.contextmanager
def counted_reloads(index_dir: Path) -> Iterator[tuple[EmbeddedEngine, _CountingIndex]]:
    """An engine on ``index_dir`` whose live index counts its reloads."""
    engine = EmbeddedEngine(index_dir)
    try:
        generation = engine._generations.live()
        assert generation is not None
        counting = _CountingIndex(generation.index)
        generation.index = counting  # type: ignore[assignment]
        yield engine, counting
    finally:
        engine.close()


def test_a_worker_lets_go_of_its_searcher_every_few_uses_and_answers_the_same(
    portal_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tantivy's doc-store cache lives as long as the searcher: replacing it bounds a worker's heap
    # once the doc store is too big to keep in memory whole (here: any doc store).
    monkeypatch.setattr(generations, "DOCSTORE_CACHE_BUDGET", 0)
    with counted_reloads(portal_index) as (engine, counting):
        request = SearchRequest(query="工会", page_size=5)
        answers = [engine.search(request) for _ in range(3 * generations.SEARCHER_USES)]
        assert counting.reloads >= 2
        assert {(a.total, tuple(h.paragraph_id for h in a.hits)) for a in answers} == {
            (answers[0].total, tuple(h.paragraph_id for h in answers[0].hits))
        }
        # A reload that fails (a rebuild removed the folder meanwhile) keeps the searcher it had.
        counting.fail = True
        assert [engine.search(request).total for _ in range(2 * generations.SEARCHER_USES)] == [answers[0].total] * (
            2 * generations.SEARCHER_USES
        )
        assert counting.reloads >= 3


def test_a_doc_store_that_fits_the_cache_keeps_its_searcher(portal_index: Path) -> None:
    # A small archive is read from memory after the first searches: no reload, no re-decompressed blocks.
    with counted_reloads(portal_index) as (engine, counting):
        request = SearchRequest(query="工会", page_size=5)
        totals = {engine.search(request).total for _ in range(3 * generations.SEARCHER_USES)}
        assert counting.reloads == 0 and len(totals) == 1
