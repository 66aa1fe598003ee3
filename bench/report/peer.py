"""The Peer section: stock Elasticsearch (cjk) against this project, measured side by side (issue 17)."""

from __future__ import annotations

from typing import Any

from bench.common import load_result
from bench.report.tables import get, sizes_with, table

Row = list[Any]

_NOTE = (
    "Stock Elasticsearch 8.12.2 as the engine a user would pick instead (`python -m bench peer --size 100k "
    "--provision-es`, or `--peer-es URL`): the `cjk` analyzer on the text, keyword facets, `match` with operator "
    "and, five `terms` aggregations, highlight, 10 hits (bench/peer_bodies.py says how each bench query is "
    "translated). It runs on one node next to this project's Elasticsearch backend, whose index the project's "
    "loader builds from the same parsed paragraphs, while the embedded engine answers both in-process and over "
    "HTTP as deployed (gunicorn with deploy/gunicorn.conf.py, `GET /api/search`); the systems take every query in "
    "turn, rotating which goes first, the same rounds, one process, one load window. Throughput: 8 client threads, "
    "each on its own keep-alive connection, the peer and ours over HTTP taking turns (best of the turns). "
    "The project's ES backend asks for its facets in a request without hits, which the shard request cache would "
    "answer again on a repeated query; the bench clears that cache before each timed search of it. "
    "Ratios are **ours ÷ peer**: below 1 ours is faster (latency) or slower (bulk rate, where above 1 is "
    "better). The peer does less per request: no heading context, no Traditional folding, no literal check "
    "(bigram matches let wrong hits in, so its totals differ), no duplicate collapse, plain (not disjunctive) "
    "facet counts, 10 hits where ours returns 20 and counts 7 facets.\n"
)


_LATENCY_SYSTEMS = (
    ("ours_http", "ours, embedded over HTTP (`/api/search`, gunicorn)"),
    ("embedded", "ours, embedded in-process"),
    ("ours_es", "ours on ES (same node)"),
)


def _throughput_rows(s: str, r: dict[str, Any]) -> list[Row]:
    many = r.get("throughput") or {}
    if not many:
        return []
    return [
        [s, "stock ES (cjk)", many["peer"]["req_per_s"], many["peer"]["p50_ms"], many["peer"]["p95_ms"], "1", ""],
        [
            s,
            f"ours, embedded over HTTP ({many.get('workers', '?')} gunicorn workers)",
            many["ours_http"]["req_per_s"],
            many["ours_http"]["p50_ms"],
            many["ours_http"]["p95_ms"],
            f"**{many.get('ours_http_over_peer_req_per_s')}**",
            f"{many['requests']} requests, best of {many['rounds']}; errors {many['ours_http'].get('error_count', 0)}",
        ],
    ]


def _latency_rows(s: str, r: dict[str, Any]) -> list[Row]:
    search = r.get("search") or {}
    if not search:
        return []
    peer = search["peer"]
    rows: list[Row] = [[s, "stock ES (cjk)", peer["p50_ms"], peer["p95_ms"], peer["p99_ms"], "1", ""]]
    for name, label in _LATENCY_SYSTEMS:
        if name not in search:
            continue
        ratio = search[f"{name}_over_peer"]
        rows.append(
            [
                s,
                label,
                search[name]["p50_ms"],
                search[name]["p95_ms"],
                search[name]["p99_ms"],
                f"**{ratio['p50']} / {ratio['p95']} / {ratio['p99']}**",
                f"{search[name]['n']} searches, {search['rounds']} rounds",
            ]
        )
    return rows


_INGEST_SYSTEMS = (
    ("ours_es", "ours on ES (rebuild, replace_source per file), from parsed text"),
    ("embedded", "ours embedded (rebuild, replace_source per file, 1 process), from parsed text"),
)

#: The loader's own yardstick: the same analysed documents, sent by the loader and by a plain bulk.
_LOADER_SYSTEMS = (
    ("plain_es", "plain `streaming_bulk` of our documents (analysed beforehand), our mapping"),
    ("ours_es_analysed", "ours on ES, the same documents analysed beforehand (as the indexer's workers do)"),
)


def _ingest_rows(s: str, r: dict[str, Any]) -> list[Row]:
    ingest, ratios = r.get("ingest") or {}, r.get("ingest_ratios") or {}
    if not ingest:
        return []
    peer = ingest["peer"]
    rows: list[Row] = [
        [s, "stock ES bulk, from parsed text", peer["mb_per_s"], peer["mb_per_cpu_s"], peer["index_over_text"], "1"]
    ]
    for name, label in _INGEST_SYSTEMS:
        if name in ingest:
            ours = ingest[name]
            rows.append(
                [
                    s,
                    label,
                    ours["mb_per_s"],
                    ours["mb_per_cpu_s"],
                    ours["index_over_text"],
                    f"**{ratios.get(f'{name}_over_peer_mb_per_s')}** (per CPU-s "
                    f"{ratios.get(f'{name}_over_peer_mb_per_cpu_s')})",
                ]
            )
    for name, label in _LOADER_SYSTEMS:
        if name in ingest:
            one = ingest[name]
            rows.append([s, label, one["mb_per_s"], one["mb_per_cpu_s"], one["index_over_text"], ""])
    if ratios.get("loader_over_plain_mb_per_s"):
        rows[-1][-1] = (
            f"ours ÷ plain bulk: **{ratios['loader_over_plain_mb_per_s']}** "
            f"(per CPU-s {ratios.get('loader_over_plain_mb_per_cpu_s')})"
        )
    if ratios.get("embedded_from_files_mb_per_s"):
        rows.append(
            [
                s,
                f"ours embedded from files incl. parsing, fastest worker count (`bench ingest` of "
                f"{str(ratios.get('embedded_from_files_recorded', '?'))[:10]}, not alternated)",
                ratios["embedded_from_files_mb_per_s"],
                ratios.get("embedded_from_files_mb_per_cpu_s"),
                "",
                f"{ratios.get('embedded_from_files_over_peer_mb_per_s', ratios.get('embedded_over_peer_mb_per_s'))}",
            ]
        )
    return rows


def _machine(r: dict[str, Any]) -> str:
    m = r.get("machine")
    if not m:
        return "the machine of Setup above"
    return f"{m.get('usable_cores', m.get('cores'))} cores ({m.get('cpu', '?')}), {m.get('memory_gib')} GiB"


def _conditions(s: str, r: dict[str, Any]) -> str:
    return (
        f"{s}: recorded {r.get('recorded')}, commit {r.get('commit')}, {_machine(r)}, Elasticsearch "
        f"{get(r, 'node', 'version')} (RSS {get(r, 'es_process', 'rss_mib')} MiB at the end), "
        f"load average {r.get('loadavg_at_start')} at the start and {r.get('loadavg_at_end')} at the end; "
        f"ingest best of {get(r, 'ingest', 'rounds')} alternated loads each, after an untimed warm-up load."
    )


def section_peer() -> str:
    """Latency and bulk-rate tables of every size measured, with the ratios ours ÷ peer and the conditions."""
    sizes = sizes_with("peer")
    if not sizes:
        return "(not measured yet: `python -m bench peer --size 100k --provision-es`)"
    latency: list[Row] = []
    many: list[Row] = []
    ingest: list[Row] = []
    conditions: list[str] = []
    for s in sizes:
        r = load_result("peer", s)
        assert r is not None
        latency += _latency_rows(s, r)
        many += _throughput_rows(s, r)
        ingest += _ingest_rows(s, r)
        conditions.append("- " + _conditions(s, r))
    return "\n".join(
        [
            _NOTE,
            "Search latency (ms, client wall time per request):\n",
            table(["size", "system", "p50", "p95", "p99", "ours ÷ peer p50 / p95 / p99", "notes"], latency),
            "\nThroughput with 8 concurrent clients (requests per second; latency of those requests, ms):\n",
            table(["size", "system", "req/s", "p50", "p95", "ours ÷ peer req/s", "notes"], many)
            if many
            else "(not measured in this run)",
            "\nIngest (MB of paragraph text; CPU = the ES node's plus the loading process's):\n",
            table(["size", "how", "MB/s", "MB per CPU-s", "index ÷ text", "ours ÷ peer MB/s"], ingest),
            "\nConditions (shared machine; a node started with `--provision-es` has a 1 GiB heap):\n",
            *conditions,
        ]
    )
