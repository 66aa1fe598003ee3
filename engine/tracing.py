"""Timings an engine reports while it answers, for benchmarks and diagnostics.

An engine opened with ``on_timing=callback`` calls ``callback(event)`` once
per timed step of a search. The callback may run on a helper thread (facet
counts are made beside the ranking), so it must be thread-safe: appending to
a list is. Engines opened without a callback time nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: A scored search for the top ``limit`` matches (the embedded engine's ranking window).
RANKING_WINDOW = "ranking_window"
#: One aggregation counting facet values (and perhaps the matches).
FACET_COUNTS = "facet_counts"


@dataclass(frozen=True)
class Timing:
    """One timed step: what it was, how long it took, and its size where one applies."""

    stage: str
    ms: float
    limit: int | None = None


OnTiming = Callable[[Timing], None]
