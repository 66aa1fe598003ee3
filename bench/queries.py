"""The benchmark's query set (bench/queries.txt): a query and its filters per line."""

from __future__ import annotations

import dataclasses
import urllib.parse
from pathlib import Path

QUERIES = Path(__file__).parent / "queries.txt"


@dataclasses.dataclass(frozen=True)
class BenchQuery:
    """One line of queries.txt: the query text and its filters in query-string form."""

    q: str
    filters: str  # query-string form, "" for none

    @property
    def params(self) -> dict[str, list[str]]:
        """The request parameters, as a query string parses into."""
        params = urllib.parse.parse_qs(self.filters, keep_blank_values=False)
        return {"q": [self.q], **params}

    @property
    def label(self) -> str:
        """How results name the query: its text, then its filters in brackets."""
        return self.q + (f" [{self.filters}]" if self.filters else "")


def load_queries(path: Path = QUERIES) -> list[BenchQuery]:
    """The queries of ``path``, blank lines and comments skipped."""
    out: list[BenchQuery] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        q, _, filters = line.partition("\t")
        out.append(BenchQuery(q.strip(), filters.strip()))
    return out
