"""Bulk writes: each paragraph serialised once, many files per request, ``IN_FLIGHT`` requests in flight behind the caller.

A rebuild fills an empty index, so nothing has to be deleted and nothing
has to be visible before the swap: paragraphs of many files are gathered
into requests of about ``BATCH_BYTES`` and sent on a background thread,
so that Elasticsearch indexes one batch while this process analyses the
next (on two cores the two overlap instead of taking turns). A write to
the live index sends its file at once (``send_now``), because the caller
prunes the file's older paragraphs right after.

Documents are serialised straight to NDJSON bytes (UTF-8, not ``\\uXXXX``
escapes, which would double the bytes of Chinese text on the wire), once:
a retry of rejected items resends the same lines.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from engine._es_transport import GuardedCalls

#: Bulk request size: ES's guidance is 5–15 MB; a few requests per 100k paragraphs keep overhead low.
BATCH_BYTES = 8 * 1024 * 1024
#: Bulk requests in flight at once: ES indexes them on as many write threads, while this process analyses.
IN_FLIGHT = 2
#: Items refused with 429 (the node's write queue is full) are resent this often, with exponential backoff.
BULK_MAX_RETRIES = 5
BULK_INITIAL_BACKOFF_S = 1.0
BULK_MAX_BACKOFF_S = 30.0
#: Only what a failed item needs to be reported: a full bulk response echoes every item's metadata.
BULK_FILTER_PATH = "errors,items.*.status,items.*.error.type,items.*.error.reason"


class DocumentsRejected(RuntimeError):
    """Elasticsearch refused some documents of a source file (after retries).

    ``replace_source`` is all-or-nothing per file: when any paragraph is
    rejected, every paragraph of that file is removed again before this is
    raised, so ``sources()`` no longer lists the file and the next
    incremental ingest retries it instead of trusting a partial copy.
    ``rejected`` holds ``(paragraph_id, reason)`` pairs. In a rebuild the
    files are sent in batches, so this may surface on a later call (at the
    latest ``finish_rebuild``, before the swap); ``source_paths`` then names
    every file of the batch that lost paragraphs.
    """

    def __init__(self, source_path: str, rejected: list[tuple[str, str]], source_paths: Iterable[str] = ()) -> None:
        self.source_path = source_path
        self.rejected = rejected
        self.source_paths = list(dict.fromkeys([source_path, *source_paths]))
        sample = "; ".join(f"{pid}: {reason}" for pid, reason in rejected[:3])
        files = source_path if len(self.source_paths) == 1 else f"{len(self.source_paths)} files ({source_path}, …)"
        super().__init__(f"Elasticsearch rejected {len(rejected)} paragraph(s) of {files}: {sample}")


#: One encoder for every line: ``json.dumps`` with options builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def bulk_line(fields: Mapping[str, Any]) -> bytes:
    """One ``index`` action and its source as NDJSON (the index is named in the request path)."""
    return f'{{"index":{{"_id":{_encode(fields["paragraph_id"])}}}}}\n{_encode(fields)}\n'.encode()


@dataclass
class Batch:
    """Serialised paragraphs bound for one index: their lines, ids and source files, in order."""

    index: str
    lines: list[bytes] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    size: int = 0

    def add(self, source_path: str, documents: Iterable[Mapping[str, Any]]) -> None:
        """Append one file's paragraphs."""
        for fields in documents:
            line = bulk_line(fields)
            self.lines.append(line)
            self.ids.append(fields["paragraph_id"])
            self.sources.append(source_path)
            self.size += len(line)


#: (source path, paragraph_id, reason) of a paragraph Elasticsearch refused for good.
Rejection = tuple[str, str, str]


def _reason(result: Mapping[str, Any]) -> str:
    error = result.get("error", {})
    reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
    return f"HTTP {result.get('status')}: {reason}"


def send(client: Elasticsearch, call: GuardedCalls, batch: Batch) -> list[Rejection]:
    """Send ``batch`` in one bulk request; resend 429s with backoff; return the paragraphs refused for good."""
    pending = list(range(len(batch.lines)))
    backoff = BULK_INITIAL_BACKOFF_S
    for attempt in range(BULK_MAX_RETRIES + 1):
        body = b"".join(batch.lines[i] for i in pending)
        resp = call(
            "bulk index",
            lambda b=body: client.bulk(index=batch.index, operations=b, filter_path=BULK_FILTER_PATH),
        )
        if not resp.get("errors"):
            return []
        rejected: list[Rejection] = []
        retry: list[int] = []
        for i, item in zip(pending, resp["items"], strict=True):
            result = next(iter(item.values()), {})
            status = int(result.get("status", 500))
            if status == 429 and attempt < BULK_MAX_RETRIES:
                retry.append(i)
            elif status >= 300:
                rejected.append((batch.sources[i], batch.ids[i], _reason(result)))
        if not retry:
            return rejected
        if rejected:
            # Some paragraphs are lost for good: their files are removed anyway, no point waiting for the rest.
            return rejected + [(batch.sources[i], batch.ids[i], "HTTP 429: not retried") for i in retry]
        time.sleep(backoff)
        backoff = min(backoff * 2, BULK_MAX_BACKOFF_S)
        pending = retry
    return []  # not reached: the last attempt never retries


class BulkWriter:
    """Gathers paragraphs into large bulk requests and keeps up to ``IN_FLIGHT`` of them in flight on background threads.

    ``remove_source(index, source_path)`` is called for every file that lost
    paragraphs, before DocumentsRejected is raised (per-file all-or-nothing).
    """

    def __init__(self, client: Elasticsearch, call: GuardedCalls, remove_source: Callable[[str, str], None]) -> None:
        self._client = client
        self._call = call
        self._remove_source = remove_source
        self._batch: Batch | None = None
        self._in_flight: deque[tuple[Future[list[Rejection]], Batch]] = deque()
        self._executor: ThreadPoolExecutor | None = None

    def add(self, index: str, source_path: str, documents: Iterable[Mapping[str, Any]]) -> None:
        """Queue one file's paragraphs for ``index``; a full batch is handed to the background thread."""
        if self._batch is not None and self._batch.index != index:
            self.flush()
        if self._batch is None:
            self._batch = Batch(index)
        self._batch.add(source_path, documents)
        if self._batch.size >= BATCH_BYTES:
            self._submit()

    def send_now(self, index: str, source_path: str, documents: Iterable[Mapping[str, Any]]) -> list[Rejection]:
        """Send one file's paragraphs now, after everything queued; return its refused paragraphs."""
        self.flush()
        batch = Batch(index)
        batch.add(source_path, documents)
        return send(self._client, self._call, batch) if batch.lines else []

    def flush(self) -> None:
        """Send what is queued and wait until every request has been answered (raises DocumentsRejected)."""
        self._submit()
        while self._in_flight:
            self._wait()

    def discard(self) -> None:
        """Forget what is queued and let the requests in flight end, whatever their outcome (an aborted rebuild)."""
        self._batch = None
        while self._in_flight:
            future, _ = self._in_flight.popleft()
            # Its outcome does not matter: the index it wrote to is being thrown away.
            with contextlib.suppress(Exception):
                future.result()

    def close(self) -> None:
        """Discard what is queued and stop the background thread."""
        self.discard()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _submit(self) -> None:
        batch, self._batch = self._batch, None
        if batch is None or not batch.lines:
            return
        # A bounded number in flight: the next batch is analysed while ES indexes these, memory stays bounded.
        while len(self._in_flight) >= IN_FLIGHT:
            self._wait()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="es-bulk")
        self._in_flight.append((self._executor.submit(send, self._client, self._call, batch), batch))

    def _wait(self) -> None:
        """Wait for the oldest request in flight; raise DocumentsRejected if it lost paragraphs."""
        future, batch = self._in_flight.popleft()
        rejected = future.result()
        if rejected:
            self._reject(batch.index, rejected)

    def _reject(self, index: str, rejected: list[Rejection]) -> None:
        sources = list(dict.fromkeys(source for source, _, _ in rejected))
        for source in sources:
            self._remove_source(index, source)
        pairs = [(pid, reason) for _, pid, reason in rejected]
        raise DocumentsRejected(sources[0], pairs, sources)
