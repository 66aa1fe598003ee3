"""How the Elasticsearch backend talks to the cluster: timeouts, retries and a circuit breaker.

A hung node (stopped by SIGSTOP, stuck in GC, behind a dead switch port)
accepts connections and then says nothing. With the client's defaults each
call would wait 30 s and be retried three times — two minutes per request,
the health check included, longer than gunicorn lets a worker live. So:

- **Reads** (everything the portal asks) wait ``READ_TIMEOUT_S`` per try and
  are retried once, on a failed connection only: a timed-out search is not
  sent again to a node that just failed to answer it.
- **Writes** (bulk indexing, delete-by-query, refresh — the ingest's work)
  are allowed longer and retried more: a loaded cluster is slow, not gone,
  and the ingest has no user waiting on each call.
- **The circuit breaker** remembers that the node stopped answering. After a
  timeout (or ``FAILURES_TO_OPEN`` failed connections in a row) it opens:
  every call fails at once with EngineUnavailable (the portal's 503) instead
  of waiting. After ``COOL_DOWN_S`` one caller sends a cheap probe
  (``GET /`` with ``PROBE_TIMEOUT_S``); when it answers the breaker closes and
  calls flow again, so a resumed or restarted node is found without a restart.

Each process has its own breaker (each gunicorn worker pays at most one
timeout before failing fast). Nothing here knows about indices or queries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import elasticsearch
from elasticsearch import Elasticsearch

from engine.contract import EngineUnavailable

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Answers the client retries by itself: overload and gateway/unavailable.
RETRY_ON_STATUS: tuple[int, ...] = (429, 502, 503, 504)

#: Reads: a search on a healthy node takes milliseconds; seconds mean it is stuck.
READ_TIMEOUT_S = 5.0
READ_MAX_RETRIES = 1
#: Writes: bulk requests of 10 MB on a busy cluster legitimately take a while.
WRITE_TIMEOUT_S = 60.0
WRITE_MAX_RETRIES = 3

#: Consecutive failed connections that open the breaker (one timeout opens it at once).
FAILURES_TO_OPEN = 2
#: How long the breaker stays open before a probe may look for the node again.
COOL_DOWN_S = 3.0
#: The probe: GET / must answer within this.
PROBE_TIMEOUT_S = 1.0


def read_client(url: str) -> Elasticsearch:
    """A client for ``url`` (comma-separated node URLs allowed) with the read profile."""
    return Elasticsearch(
        # Several nodes may be listed; the client spreads requests over them
        # and retries on another node when one fails.
        [u.strip() for u in url.split(",") if u.strip()],
        retry_on_status=RETRY_ON_STATUS,
        retry_on_timeout=False,
        max_retries=READ_MAX_RETRIES,
        request_timeout=READ_TIMEOUT_S,
    )


def write_options(client: Elasticsearch) -> Elasticsearch:
    """The same connections with the write profile: longer timeout, more retries, timeouts retried."""
    return client.options(request_timeout=WRITE_TIMEOUT_S, max_retries=WRITE_MAX_RETRIES, retry_on_timeout=True)


class CircuitOpen(EngineUnavailable):
    """The node stopped answering a moment ago; this call was not even sent."""


class CircuitBreaker:
    """Fails calls fast while a node is unresponsive; one probe at a time looks for it again."""

    def __init__(
        self,
        probe: Callable[[], object],
        *,
        failures_to_open: int = FAILURES_TO_OPEN,
        cool_down_s: float = COOL_DOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._failures_to_open = failures_to_open
        self._cool_down = cool_down_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self.last_error = ""

    @property
    def is_open(self) -> bool:
        """True while calls are refused without being sent."""
        return self._opened_at is not None

    def _admit(self) -> bool:
        """Whether to send a call now; True means "probe first" when the breaker is open."""
        with self._lock:
            if self._opened_at is None:
                return False
            if self._probing or self._clock() - self._opened_at < self._cool_down:
                raise CircuitOpen(f"Elasticsearch did not answer a moment ago ({self.last_error}); not retried yet")
            self._probing = True  # this caller probes; the others keep failing fast meanwhile
            return True

    def _record_failure(self, error: BaseException, *, opens: bool) -> None:
        with self._lock:
            self._failures += 1
            self.last_error = f"{type(error).__name__}: {error}"[:300]
            if opens or self._failures >= self._failures_to_open:
                if self._opened_at is None:
                    log.warning("Elasticsearch unresponsive, failing fast for %.0f s: %s", self._cool_down, error)
                self._opened_at = self._clock()

    def _record_success(self) -> None:
        with self._lock:
            if self._opened_at is not None:
                log.warning("Elasticsearch answers again; calls resume")
            self._failures, self._opened_at = 0, None

    def call(self, fn: Callable[[], _T]) -> _T:
        """Run ``fn`` unless the breaker is open; record what happened. Raises CircuitOpen when refused."""
        if self._admit():
            try:
                self._probe()
            except Exception as exc:
                self._record_failure(exc, opens=True)
                raise CircuitOpen(f"Elasticsearch still does not answer: {type(exc).__name__}: {exc}") from exc
            finally:
                with self._lock:
                    self._probing = False
            self._record_success()
        try:
            result = fn()
        except elasticsearch.ConnectionTimeout as exc:
            self._record_failure(exc, opens=True)  # a hung node: never wait for it twice
            raise
        except elasticsearch.TransportError as exc:
            self._record_failure(exc, opens=False)
            raise
        except elasticsearch.ApiError as exc:
            if exc.meta.status in (502, 503, 504):
                self._record_failure(exc, opens=False)
            else:
                self._record_success()  # the node answered, even if with a client error
            raise
        self._record_success()
        return result


def probe_for(client: Elasticsearch) -> Callable[[], Any]:
    """The breaker's probe: ``GET /`` with a short timeout and no retries."""
    quick = client.options(request_timeout=PROBE_TIMEOUT_S, max_retries=0)
    return lambda: quick.info()


def redact(url: str) -> str:
    """``url`` without its user name and password, for messages and stats."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url


class GuardedCalls:
    """Runs client calls through a circuit breaker, turning transport and server failures into EngineUnavailable."""

    def __init__(self, url: str, breaker: CircuitBreaker) -> None:
        self.url = url
        self.breaker = breaker

    def __call__(self, what: str, fn: Callable[[], _T]) -> _T:
        """``fn()``; ``what`` names the call in the message of a failure."""
        shown = redact(self.url)
        try:
            return self.breaker.call(fn)
        except elasticsearch.UnsupportedProductError as exc:
            raise EngineUnavailable(f"{shown} is not an Elasticsearch server ({what}): {exc}") from exc
        except elasticsearch.TransportError as exc:
            # Connection refused/reset, timeouts, TLS and serialisation trouble.
            raise EngineUnavailable(
                f"Elasticsearch at {shown} is unreachable ({what}): {type(exc).__name__}: {exc}"
            ) from exc
        except elasticsearch.ApiError as exc:
            status = exc.meta.status
            if status in (401, 403):
                raise EngineUnavailable(f"Elasticsearch at {shown} refused access ({what}): HTTP {status}") from exc
            if status >= 500 or status == 429:
                raise EngineUnavailable(
                    f"Elasticsearch at {shown} failed ({what}): HTTP {status} {exc.message}"
                ) from exc
            raise
