"""Stock Elasticsearch as a peer (issue 17): the same paragraphs and queries, alternated with ours in one run.

    python -m bench peer   --size 10k --provision-es   # start a throwaway 8.12.2 node here
    python -m bench peer   --size 10k --peer-es URL    # or use a running node (also: ES_URL)
    python -m bench search --size 10k --provision-es   # search, then the peer comparison
    python -m bench ingest --size 10k --provision-es   # ingest, then the peer's bulk rate next to ours

Three systems answer every query of bench/queries.txt, query by query in a
rotating order, the same rounds, in this one process:

* ``peer`` — stock ES with the ``cjk`` analyzer (bench/peer_bodies.py);
* ``embedded`` — this project's embedded engine in-process (the index the
  ingest benchmark built);
* ``ours_es`` — this project's Elasticsearch backend on the same node, its
  index built from the same paragraphs by the project's loader;
* ``ours_http`` — the embedded index served as deployed (gunicorn), through
  ``/api/search`` (bench/peer_http.py).

After the alternation, the peer and ``ours_http`` take turns at throughput
with 8 concurrent clients each.

Latency is the client's wall time per request (the ES systems pay the same
HTTP round trip on loopback). Ratios are ours ÷ peer: below 1 means ours is
faster. The ingest side loads the paragraphs into both ES indices
alternately (bench/peer_load.py) and sets the peer's bulk rate next to the
project's ingest from files (bench/results/<size>-ingest.json). It also
loads the project's own documents, analysed beforehand, once through the
project's loader and once through a plain ``streaming_bulk``: the loader's
own yardstick.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import latency_summary, load_result, loadavg, log, machine, paragraphs_file, read_jsonl, save_result
from bench.peer_bodies import peer_body
from bench.peer_http import Searcher, http_searcher, throughput_side_by_side
from bench.peer_load import es_client, es_process, load_embedded, load_ours, load_peer, load_plain
from bench.queries import BenchQuery, load_queries

PEER_INDEX = "bench-peer-stock"
#: A plain bulk load of the project's own documents: the yardstick for its loader.
PLAIN_INDEX = "bench-peer-plain"
OURS_ALIAS = "bench-peer-ours"
SYSTEMS = ("peer", "embedded", "ours_es", "ours_http")
#: Requests per system in the 8-client throughput run.
THROUGHPUT_REQUESTS = 400
WARMUP_PARAGRAPHS = 3000


@contextmanager
def es_node(url: str | None, provision: bool) -> Iterator[str | None]:
    """The URL of a node to compare against: ``url`` (or $ES_URL), else a throwaway node when asked, else None."""
    url = url or os.environ.get("ES_URL") or None
    if url or not provision:
        yield url
        return
    from tests.support.elasticsearch_node import ElasticsearchNode, provision_elasticsearch

    node = ElasticsearchNode(provision_elasticsearch())
    node.start()
    log(f"peer: started Elasticsearch {node.version} at {node.url} (pid {node.pid})")
    try:
        yield node.url
    finally:
        node.stop()
        log("peer: Elasticsearch node stopped")


def _searchers(client: Any, url: str, index: Path, port: int, queries: list[BenchQuery]) -> dict[str, Searcher]:
    """One callable per system: run query i, return its total (so a broken system shows up as 0 hits)."""
    from engine.elastic import ElasticsearchEngine
    from engine.embedded import EmbeddedEngine
    from engine.request import build_request

    embedded = EmbeddedEngine(index)
    ours_es = ElasticsearchEngine(url=url, alias=OURS_ALIAS)
    requests = [build_request(q.params) for q in queries]
    return {
        "peer": _peer_searcher(client, queries),
        "embedded": lambda i: embedded.search(requests[i]).total,
        "ours_es": lambda i: ours_es.search(requests[i]).total,
        "ours_http": http_searcher(port, queries),
    }


def _peer_searcher(client: Any, queries: list[BenchQuery]) -> Searcher:
    """The peer's search of query i (the ES client is thread-safe: every thread may share it)."""
    bodies = [peer_body(q) for q in queries]
    return lambda i: int(client.search(index=PEER_INDEX, **bodies[i])["hits"]["total"]["value"])


def alternate(
    searchers: dict[str, Searcher], n_queries: int, rounds: int, before: dict[str, Callable[[], None]] | None = None
) -> dict[str, Any]:
    """Every query on every system, rotating which system goes first, after one untimed warm-up pass.

    ``before`` runs, untimed, ahead of each timed search of its system (clearing a cache).
    """
    names = list(searchers)
    before = before or {}
    for i in range(n_queries):
        for name in names:
            searchers[name](i)
    times: dict[str, list[list[float]]] = {name: [[] for _ in range(n_queries)] for name in names}
    totals: dict[str, list[int]] = {name: [0] * n_queries for name in names}
    for r in range(rounds):
        for i in range(n_queries):
            shift = (r + i) % len(names)  # each system takes each place in the turn equally often
            for name in names[shift:] + names[:shift]:
                if name in before:
                    before[name]()
                started = time.perf_counter()
                totals[name][i] = searchers[name](i)
                times[name][i].append((time.perf_counter() - started) * 1000)
    return {"times": times, "totals": totals}


def _ratio(ours: float, peer: float) -> float | None:
    return round(ours / peer, 2) if peer else None


def search_summary(measured: dict[str, Any], queries: list[BenchQuery], rounds: int) -> dict[str, Any]:
    """Percentiles per system, ratios ours ÷ peer, and per query medians and totals."""
    out: dict[str, Any] = {"rounds": rounds, "queries": len(queries)}
    for name, per_query in measured["times"].items():
        out[name] = latency_summary([ms for values in per_query for ms in values])
    for name in SYSTEMS[1:]:
        out[f"{name}_over_peer"] = {
            p: _ratio(out[name][f"{p}_ms"], out["peer"][f"{p}_ms"]) for p in ("p50", "p95", "p99", "mean")
        }
    out["per_query"] = [
        {
            "query": q.label,
            **{f"{name}_median_ms": round(statistics.median(measured["times"][name][i]), 2) for name in SYSTEMS},
            **{f"{name}_total": measured["totals"][name][i] for name in SYSTEMS},
        }
        for i, q in enumerate(queries)
    ]
    return out


def ingest_side_by_side(
    client: Any, url: str, records: list[dict[str, Any]], rounds: int, scratch: Path
) -> dict[str, Any]:
    """Peer bulk load, the project's ES loader (also on analysed documents, beside a plain bulk of them) and its
    embedded index, alternated ``rounds`` times; best of each."""
    loaders: dict[str, Callable[[list[dict[str, Any]]], dict[str, Any]]] = {
        "peer": lambda recs: load_peer(client, PEER_INDEX, recs),
        "ours_es": lambda recs: load_ours(client, url, OURS_ALIAS, recs),
        "ours_es_analysed": lambda recs: load_ours(client, url, OURS_ALIAS, recs, analysed=True),
        "plain_es": lambda recs: load_plain(client, PLAIN_INDEX, recs),
        "embedded": lambda recs: load_embedded(client, scratch, recs),
    }
    # Untimed warm-up on a slice: the first bulk requests on a fresh JVM run interpreted code.
    for load in loaders.values():
        load(records[:WARMUP_PARAGRAPHS])
    names = list(loaders)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            runs[name].append(loaders[name](records))
    # Best of the runs: on a shared machine other work only ever slows a run down.
    best = {name: max(values, key=lambda x: x["mb_per_s"]) for name, values in runs.items()}
    return {"rounds": rounds, **best, "runs": runs}


def _embedded_ingest(label: str) -> dict[str, Any] | None:
    """The project's own ingest from files at this size (bench ingest, its own run), the fastest worker count."""
    saved = load_result("ingest", label) or {}
    entries = (saved.get("embedded") or {}).values()
    usable = [e for e in entries if isinstance(e, dict) and e.get("mb_per_s")]
    best = max(usable, key=lambda e: e["mb_per_s"]) if usable else None
    return {**best, "recorded": saved.get("recorded")} if best else None


def ingest_ratios(ingest: dict[str, Any], from_files: dict[str, Any] | None) -> dict[str, Any]:
    """Ours ÷ peer for the bulk rates (MB/s and MB per CPU-second)."""
    peer = ingest["peer"]
    out: dict[str, Any] = {}
    for name in ("ours_es", "embedded"):
        if name in ingest:
            out[f"{name}_over_peer_mb_per_s"] = _ratio(ingest[name]["mb_per_s"], peer["mb_per_s"])
            out[f"{name}_over_peer_mb_per_cpu_s"] = _ratio(ingest[name]["mb_per_cpu_s"], peer["mb_per_cpu_s"])
    if "ours_es_analysed" in ingest and "plain_es" in ingest:
        ours, plain = ingest["ours_es_analysed"], ingest["plain_es"]
        out["loader_over_plain_mb_per_s"] = _ratio(ours["mb_per_s"], plain["mb_per_s"])
        out["loader_over_plain_mb_per_cpu_s"] = _ratio(ours["mb_per_cpu_s"], plain["mb_per_cpu_s"])
    if from_files:
        out["embedded_from_files_mb_per_s"] = from_files["mb_per_s"]
        out["embedded_from_files_mb_per_cpu_s"] = from_files.get("mb_per_cpu_s")
        out["embedded_from_files_recorded"] = from_files.get("recorded")
        out["embedded_from_files_over_peer_mb_per_s"] = _ratio(from_files["mb_per_s"], peer["mb_per_s"])
    return out


def run_peer(
    root: Path, label: str, url: str, *, search_rounds: int = 5, ingest_rounds: int = 1, index: Path | None = None
) -> dict[str, Any]:
    """Load both ES indices, then (``search_rounds`` > 0) alternate the three systems; save ``<label>-peer``."""
    from bench.search import search_index

    source = paragraphs_file(root, label)
    if not source.exists():
        raise SystemExit(f"no {source}: run `python -m bench parse --size {label}` first")
    records = list(read_jsonl(source))
    client = es_client(url)
    info = client.info()
    log(f"peer {label}: {len(records):,} paragraphs, Elasticsearch {info['version']['number']} at {url}")
    previous = load_result("peer", label) or {}
    result: dict[str, Any] = {
        "node": {"version": info["version"]["number"], "url": url},
        "loadavg_at_start": loadavg(),
        "machine": machine(),
    }
    scratch = root / label / "peer-embedded-index"
    result["ingest"] = ingest_side_by_side(client, url, records, max(1, ingest_rounds), scratch)
    result["ingest_ratios"] = ingest_ratios(result["ingest"], _embedded_ingest(label))
    # An ingest-only run (`bench ingest` with a node) keeps the last search and throughput figures.
    result["search"] = previous.get("search")
    result["throughput"] = previous.get("throughput")
    if search_rounds > 0:
        result.update(_search_side_by_side(client, url, index or search_index(root, label), label, search_rounds))
    result["es_process"] = es_process(client)
    _cleanup(client, url)
    save_result("peer", label, result)
    return result


def _search_side_by_side(client: Any, url: str, index: Path, label: str, rounds: int) -> dict[str, Any]:
    """The four systems alternated query by query, then the peer and ours over HTTP at 8-client throughput."""
    from bench.serving import Gunicorn

    queries = load_queries()
    server = Gunicorn(index)
    server.start()
    try:
        searchers = _searchers(client, url, index, server.port, queries)
        log(f"peer {label}: {len(queries)} queries × {rounds} rounds on {', '.join(SYSTEMS)}, alternated …")
        # The backend asks for its facets in a request without hits, which Elasticsearch's shard request cache
        # answers again until the next refresh; the bench repeats every query, so the cache is cleared before
        # each timed search (the peer's requests carry hits and are never cached).
        uncached = {"ours_es": lambda: client.indices.clear_cache(index=OURS_ALIAS, request=True)}
        search = search_summary(alternate(searchers, len(queries), rounds, uncached), queries, rounds)
        for name in SYSTEMS[1:]:
            log(f"peer {label}: {name} ÷ peer {search[f'{name}_over_peer']}")
        log(f"peer {label}: throughput, {THROUGHPUT_REQUESTS} requests with 8 clients, peer and ours_http in turn …")
        many = throughput_side_by_side(
            {"peer": lambda: _peer_searcher(client, queries), "ours_http": lambda: http_searcher(server.port, queries)},
            len(queries),
            THROUGHPUT_REQUESTS,
        )
        many["workers"] = len(server.workers())
    finally:
        server.stop()
    peer_rate = many["peer"]["req_per_s"]
    many["ours_http_over_peer_req_per_s"] = _ratio(many["ours_http"]["req_per_s"], peer_rate)
    log(f"peer {label}: 8 clients, ours_http ÷ peer req/s {many['ours_http_over_peer_req_per_s']}")
    return {"search": search, "throughput": many}


def _cleanup(client: Any, url: str) -> None:
    """Drop the throwaway indices so a node found at a URL is left as it was."""
    from engine.elastic import ElasticsearchEngine

    for index in (PEER_INDEX, PLAIN_INDEX):
        client.indices.delete(index=index, ignore_unavailable=True)
    engine = ElasticsearchEngine(url=url, alias=OURS_ALIAS)
    engine.drop()
    engine.close()
