"""The circuit breaker in front of Elasticsearch, on its own (a clock and calls made up for it).

The real node — hung with SIGSTOP, resumed, restarted — is in
tests/portal/test_es_outage.py; this pins the rules: when it opens, that it
refuses without sending, and that only a successful probe closes it.
"""

from __future__ import annotations

import elastic_transport
import pytest

from engine._es_transport import CircuitBreaker, CircuitOpen
from engine.contract import EngineUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _timeout() -> None:
    raise elastic_transport.ConnectionTimeout("Connection timed out")


def _refused() -> None:
    raise elastic_transport.ConnectionError("Connection refused")


def test_one_timeout_opens_the_breaker_and_later_calls_are_not_sent() -> None:
    clock, sent = Clock(), []
    breaker = CircuitBreaker(lambda: None, cool_down_s=3, clock=clock)
    with pytest.raises(elastic_transport.ConnectionTimeout):
        breaker.call(_timeout)
    assert breaker.is_open
    with pytest.raises(CircuitOpen) as refused:
        breaker.call(lambda: sent.append("search"))
    assert sent == [] and isinstance(refused.value, EngineUnavailable)  # the portal turns it into 503


def test_refused_connections_open_it_after_two_in_a_row() -> None:
    breaker = CircuitBreaker(lambda: None, failures_to_open=2, clock=Clock())
    with pytest.raises(elastic_transport.ConnectionError):
        breaker.call(_refused)
    assert not breaker.is_open
    with pytest.raises(elastic_transport.ConnectionError):
        breaker.call(_refused)
    assert breaker.is_open


def test_after_the_cool_down_a_probe_decides() -> None:
    clock, answers = Clock(), {"probe": False}

    def probe() -> None:
        if not answers["probe"]:
            _timeout()

    breaker = CircuitBreaker(probe, cool_down_s=3, clock=clock)
    with pytest.raises(elastic_transport.ConnectionTimeout):
        breaker.call(_timeout)
    clock.now += 3.5
    with pytest.raises(CircuitOpen):  # the probe failed: still open, for another cool-down
        breaker.call(lambda: "hits")
    clock.now += 1
    with pytest.raises(CircuitOpen):
        breaker.call(lambda: "hits")
    answers["probe"] = True
    clock.now += 3.5
    assert breaker.call(lambda: "hits") == "hits"
    assert not breaker.is_open
