"""Loading the same paragraphs into Elasticsearch twice: the stock peer and this project's loader.

Both read bench's parsed paragraphs (paragraphs.jsonl of ``python -m bench
parse``), so parsing is left out of both figures: what is compared is the
cost of getting parsed text searchable. Each side's input documents (the
peer's sources, the project's IndexDocuments with the quality the indexer's
enrichment would have given them) are built before the clock starts. The ES process's CPU comes from the
node's own statistics (``_nodes/_local/stats/process``), so it is read the
same way whether the node was started here or found at a URL.
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bench.common import dir_bytes, log, mb, mib, proc_status
from bench.peer_bodies import peer_document, peer_mapping

#: Documents per bulk request of the peer: the size ES's docs suggest starting from.
PEER_BULK_DOCS = 1000


def es_client(url: str) -> Any:
    """An Elasticsearch client for the peer's own requests (generous timeout: bulk loads block)."""
    from elasticsearch import Elasticsearch

    return Elasticsearch(url, request_timeout=300)


def es_process(client: Any) -> dict[str, Any]:
    """The node's CPU seconds so far, its pid and (when the node runs on this machine) its RSS."""
    stats = client.nodes.stats(node_id="_local", metric="process")
    node = next(iter(stats["nodes"].values()))
    pid = client.nodes.info(node_id="_local", metric="process")["nodes"]
    pid = next(iter(pid.values()))["process"]["id"]
    rss = proc_status(int(pid)).get("VmRSS")
    return {
        "cpu_s": node["process"]["cpu"]["total_in_millis"] / 1000,
        "pid": pid,
        "rss_mib": mib(rss) if rss else None,
    }


def index_bytes(client: Any, index: str) -> int:
    """Bytes on disk of an index (or alias), primaries only (the peer has no replica)."""
    stats = client.indices.stats(index=index, metric="store")
    return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])


class Measured:
    """Wall, this process's CPU and the ES node's CPU across a ``with`` block."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __enter__(self) -> Measured:
        self._es = es_process(self.client)["cpu_s"]
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self._wall
        self.client_cpu_s = time.process_time() - self._cpu
        self.es_cpu_s = es_process(self.client)["cpu_s"] - self._es

    def rates(self, text_bytes: int) -> dict[str, Any]:
        """MB of text per second and per CPU-second (ES alone, and ES plus this process)."""
        text_mb = text_bytes / 1e6
        return {
            "wall_s": round(self.wall_s, 2),
            "es_cpu_s": round(self.es_cpu_s, 2),
            "client_cpu_s": round(self.client_cpu_s, 2),
            "mb_per_s": round(text_mb / self.wall_s, 2),
            "mb_per_es_cpu_s": round(text_mb / self.es_cpu_s, 2) if self.es_cpu_s else None,
            "mb_per_cpu_s": round(text_mb / (self.es_cpu_s + self.client_cpu_s), 2),
        }


def _peer_actions(index: str, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        yield {"_index": index, "_id": record["id"], "_source": peer_document(record)}


def load_peer(client: Any, index: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Create the stock index, bulk-load the paragraphs, refresh; the rates, counted to the refresh."""
    actions = list(_peer_actions(index, records))
    result = _bulk_load(client, index, peer_mapping(), actions, records)
    log(f"peer bulk: {result['mb_per_s']} MB/s, {result['mb_per_cpu_s']} MB per CPU-s, index {result['index_mb']} MB")
    return result


def _bulk_load(
    client: Any, index: str, body: dict[str, Any], actions: Iterable[dict[str, Any]], records: list[dict[str, Any]]
) -> dict[str, Any]:
    """Create ``index`` from ``body``, send ``actions`` through a plain ``streaming_bulk``, refresh; the rates."""
    from elasticsearch import helpers

    client.indices.delete(index=index, ignore_unavailable=True)
    text_bytes = sum(len(r["text"].encode("utf-8")) for r in records)
    with Measured(client) as m:
        client.indices.create(index=index, **body)
        failed = 0
        for ok, _item in helpers.streaming_bulk(client, actions, chunk_size=PEER_BULK_DOCS, raise_on_error=False):
            failed += not ok
        client.indices.refresh(index=index)
    result = {"paragraphs": len(records), "failed": failed, "text_mb": mb(text_bytes), **m.rates(text_bytes)}
    result["index_mb"] = mb(index_bytes(client, index))
    result["index_over_text"] = round(result["index_mb"] / result["text_mb"], 2)
    return result


def _documents(records: list[dict[str, Any]]) -> Iterator[tuple[str, list[Any]]]:
    """The records as the project's IndexDocuments, one list per source file (the loader's unit)."""
    from engine.contract import IndexDocument
    from indexer.enrichment.quality import content_quality

    for source, group in itertools.groupby(records, key=lambda r: r["source_path"]):
        docs = [
            IndexDocument(
                paragraph_id=r["id"],
                article_id=r["article_id"],
                position=int(r["id"].rsplit("-", 1)[1]),
                text=r["text"],
                title="",
                source_path=source,
                source_sha256="",
                section_path=tuple(r.get("section_path") or ()),
                is_heading=bool(r.get("is_heading")),
                topics=tuple(r.get("topics") or ()),
                # paragraphs.jsonl has no blank count; the ingest's quality otherwise, so ranking bands match.
                quality=content_quality(r["text"], bool(r.get("is_heading")), 0),
                duplicate_key=r.get("duplicate_key") or "",
                org_level=r.get("org_level") or "",
                org_name=r.get("org_name") or "",
                township=r.get("township") or "",
                period=r.get("period") or "",
                year=r.get("year"),
            )
            for r in group
        ]
        yield source, docs


def load_ours(
    client: Any, url: str, alias: str, records: list[dict[str, Any]], *, analysed: bool = False
) -> dict[str, Any]:
    """Build a fresh index behind ``alias`` through the project's loader (rebuild, replace_source per file).

    ``analysed``: the documents carry their token views, made before the clock
    starts, as the indexer's workers make them in a real ingest; otherwise the
    loader segments them itself (as the peer's node analyses its text).
    """
    from engine import rebuilding
    from engine.elastic import ElasticsearchEngine

    engine = ElasticsearchEngine(url=url, alias=alias)
    engine.drop()
    text_bytes = sum(len(r["text"].encode("utf-8")) for r in records)
    files = _analysed(records) if analysed else list(_documents(records))
    with Measured(client) as m, rebuilding(engine) as writing:
        for source, docs in files:
            writing.replace_source(source, docs)
    engine.close()
    result = {"paragraphs": len(records), "text_mb": mb(text_bytes), **m.rates(text_bytes)}
    result["index_mb"] = mb(index_bytes(client, alias))
    result["index_over_text"] = round(result["index_mb"] / result["text_mb"], 2)
    log(f"ours on ES: {result['mb_per_s']} MB/s, {result['mb_per_cpu_s']} MB per CPU-s, index {result['index_mb']} MB")
    return result


def _analysed(records: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """The records as IndexDocuments carrying their token views (what the indexer's workers hand over)."""
    from engine.documents import analysed

    return [(source, [analysed(doc) for doc in docs]) for source, docs in _documents(records)]


def load_plain(client: Any, index: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The project's documents, analysed beforehand, through a plain ``streaming_bulk`` into the project's mapping.

    The yardstick for the loader itself (issue 17: at least as fast per
    CPU-second as a plain bulk load of the same documents): same fields, same
    mapping and settings, no replica; only the way they are sent differs.
    """
    from engine import backend_rules
    from engine.elastic.indices import index_body

    files = _analysed(records)
    body = index_body()
    body["settings"]["index"].update(number_of_shards=1, number_of_replicas=0, auto_expand_replicas="false")

    def actions() -> Iterator[dict[str, Any]]:
        for source, docs in files:
            for fields in backend_rules.settled_documents(source, docs):
                yield {"_index": index, "_id": fields["paragraph_id"], "_source": fields}

    result = _bulk_load(client, index, body, actions(), records)
    log(f"plain bulk of our documents: {result['mb_per_s']} MB/s, {result['mb_per_cpu_s']} MB per CPU-s")
    return result


def load_embedded(client: Any, folder: Path, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The same paragraphs into a fresh embedded index in this process (analysis inline, one process)."""
    from engine import rebuilding
    from engine.embedded import EmbeddedEngine

    shutil.rmtree(folder, ignore_errors=True)
    text_bytes = sum(len(r["text"].encode("utf-8")) for r in records)
    engine = EmbeddedEngine(folder)
    files = list(_documents(records))
    with Measured(client) as m, rebuilding(engine) as writing:
        for source, docs in files:
            writing.replace_source(source, docs)
    engine.close()
    text_mb = text_bytes / 1e6
    # Only this process works here: the node's CPU over the load is its idle housekeeping.
    result = {
        "paragraphs": len(records),
        "text_mb": mb(text_bytes),
        "wall_s": round(m.wall_s, 2),
        "cpu_s": round(m.client_cpu_s, 2),
        "mb_per_s": round(text_mb / m.wall_s, 2),
        "mb_per_cpu_s": round(text_mb / m.client_cpu_s, 2),
        "index_mb": mb(dir_bytes(folder)),
    }
    result["index_over_text"] = round(result["index_mb"] / result["text_mb"], 2)
    shutil.rmtree(folder, ignore_errors=True)
    log(
        f"ours embedded: {result['mb_per_s']} MB/s, {result['mb_per_cpu_s']} MB per CPU-s, index {result['index_mb']} MB"
    )
    return result
