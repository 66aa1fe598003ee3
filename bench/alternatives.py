"""What the engine is compared with: a plain substring scan, and SQLite FTS5 with the trigram tokenizer.

Both answer the benchmark queries over the same parsed paragraphs
(paragraphs.jsonl) with the engine's matching rules (engine.query,
engine.plan): every required clause must have an alternative whose literal
runs all occur in the folded text (a quoted phrase: the runs one after the
other, separated by nothing or by non-word characters only), no excluded
term may occur, and the facet filters hold (OR within a facet, AND across).

* ``SubstringScan`` is Ctrl-F over the whole archive: Python ``in`` over the
  folded texts (folding done once, ahead of time, and timed separately).
* ``Fts5Trigram`` keeps the folded texts in an FTS5 table with
  ``tokenize='trigram'``. A literal run of three or more characters is a
  MATCH on the index; a two-character run cannot be: FTS5's trigram index
  matches no row for a shorter string, so such runs are answered with
  ``LIKE '%…%'``, a scan of the table (reported per query as ``fallback``).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import analysis
from engine import facets as registry
from engine.query import ParsedQuery, Term, parse_query

_SEP = r"(?:[^\w]|_)*"


@dataclass(frozen=True)
class Filters:
    """Facet filters of a request, as the engine applies them."""

    values: Mapping[str, tuple[str, ...]]
    year_from: int | None = None
    year_to: int | None = None

    @classmethod
    def from_request(cls, request: Any) -> Filters:
        """The filters of an engine SearchRequest."""
        return cls(dict(request.filters), request.year_from, request.year_to)

    def accepts(self, record: Mapping[str, Any]) -> bool:
        """Whether a paragraph record passes the filters."""
        for facet, wanted in self.values.items():
            # The record's value(s) under the facet's index field, as strings (the registry says where).
            declared = registry.facet(facet)
            value = record.get(declared.field)
            values = (value or ()) if declared.multi else (value,)
            if not {str(v) for v in values if v not in (None, "")} & set(wanted):
                return False
        year = record.get("year")
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        return not (self.year_to is not None and (year is None or year > self.year_to))


def term_runs(term: Term) -> list[str]:
    """The literal runs of a query term (engine.analysis.literal_runs)."""
    return analysis.literal_runs(term.text)


def in_guarantee(parsed: ParsedQuery) -> bool:
    """True when every run is two characters or more (the engine's recall guarantee covers the query)."""
    terms = [t for c in parsed.required for t in c.alternatives] + list(parsed.excluded)
    return all(len(run) >= 2 for t in terms for run in term_runs(t))


def _phrase_regex(runs: Sequence[str]) -> re.Pattern[str]:
    return re.compile(_SEP.join(re.escape(run) for run in runs))


def term_predicate(term: Term) -> Callable[[str], bool]:
    """folded text → bool, matching like engine.plan.term_match."""
    runs = term_runs(term)
    if not runs:
        return lambda _text: False
    if term.phrase and len(runs) > 1 and all(len(r) > 1 for r in runs):
        pattern = _phrase_regex(runs)
        return lambda text: pattern.search(text) is not None
    if len(runs) == 1:
        run = runs[0]
        return lambda text: run in text
    return lambda text: all(run in text for run in runs)


def query_predicate(parsed: ParsedQuery) -> Callable[[str], bool]:
    """A test of one folded text: does it satisfy every clause of the query?"""
    clauses = [[term_predicate(t) for t in clause.alternatives] for clause in parsed.required]
    excluded = [term_predicate(t) for t in parsed.excluded]

    def matches(text: str) -> bool:
        """Whether the folded text satisfies the query."""
        for alternatives in clauses:
            if not any(p(text) for p in alternatives):
                return False
        return not any(p(text) for p in excluded)

    return matches


class SubstringScan:
    """Ctrl-F over the archive: Python ``in`` over every folded paragraph."""

    def __init__(self, records: Sequence[Mapping[str, Any]]) -> None:
        started = time.perf_counter()
        self.records = records
        self.folded = [analysis.fold(r["text"]) for r in records]
        self.prepare_s = time.perf_counter() - started

    def search(self, query: str, filters: Filters) -> set[str]:
        """Ids of the paragraphs matching ``query`` under ``filters``."""
        matches = query_predicate(parse_query(query))
        records = self.records
        return {records[i]["id"] for i, text in enumerate(self.folded) if matches(text) and filters.accepts(records[i])}


class Fts5Trigram:
    """SQLite FTS5 (trigram tokenizer) over the folded paragraphs, facets in a side table."""

    def __init__(self, path: Path, records: Sequence[Mapping[str, Any]] | None = None) -> None:
        self.path = Path(path)
        self.build_s = 0.0
        if records is not None:
            self._build(records)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA cache_size = -200000")

    def _build(self, records: Sequence[Mapping[str, Any]]) -> None:
        self.path.unlink(missing_ok=True)
        started = time.perf_counter()
        db = sqlite3.connect(str(self.path))
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE VIRTUAL TABLE p USING fts5(text, tokenize = 'trigram');
            CREATE TABLE meta (rowid INTEGER PRIMARY KEY, pid TEXT, township TEXT, year INTEGER,
                               period TEXT, org_level TEXT, org_name TEXT, source_path TEXT, topics TEXT);
            """
        )
        db.executemany(
            "INSERT INTO p (rowid, text) VALUES (?, ?)",
            ((i, analysis.fold(r["text"])) for i, r in enumerate(records, start=1)),
        )
        db.executemany(
            "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    i,
                    r["id"],
                    r.get("township") or "",
                    r.get("year"),
                    r.get("period") or "",
                    r.get("org_level") or "",
                    r.get("org_name") or "",
                    r.get("source_path") or "",
                    "|" + "|".join(r.get("topics") or ()) + "|",
                )
                for i, r in enumerate(records, start=1)
            ),
        )
        db.commit()
        db.close()
        self.build_s = time.perf_counter() - started

    def size_bytes(self) -> int:
        """Bytes of the database file."""
        return self.path.stat().st_size

    def match_count(self, text: str) -> int:
        """Rows a bare MATCH on ``text`` returns (0 for any string under three characters)."""
        quoted = '"' + text.replace('"', '""') + '"'
        return self.db.execute("SELECT count(*) FROM p WHERE p MATCH ?", (quoted,)).fetchone()[0]

    def search(self, query: str, filters: Filters) -> tuple[set[str], bool]:
        """Matching paragraph ids, and whether a two-character run forced a LIKE scan."""
        parsed = parse_query(query)
        where: list[str] = []
        args: list[Any] = []
        fallback = False
        post: list[Any] = []

        def term_sql(term: Term) -> str:
            """The SQL condition and its parameters for one term."""
            nonlocal fallback
            runs = term_runs(term)
            if not runs:
                return "0"
            parts = []
            for run in runs:
                if len(run) >= 3:
                    parts.append("p.rowid IN (SELECT rowid FROM p WHERE p MATCH ?)")
                    args.append('"' + run.replace('"', '""') + '"')
                else:
                    fallback = True
                    parts.append("p.text LIKE ? ESCAPE '\\'")
                    args.append("%" + run.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
            if term.phrase and len(runs) > 1 and all(len(r) > 1 for r in runs):
                post.append(_phrase_regex(runs))
            return "(" + " AND ".join(parts) + ")"

        for clause in parsed.required:
            alternatives = [term_sql(t) for t in clause.alternatives]
            where.append("(" + " OR ".join(alternatives) + ")")
        for term in parsed.excluded:
            where.append("NOT " + term_sql(term))
        for facet, wanted in filters.values.items():
            column = registry.facet(facet).field
            if facet == "topic":
                where.append("(" + " OR ".join("meta.topics LIKE ?" for _ in wanted) + ")")
                args += [f"%|{w}|%" for w in wanted]
            elif facet == "year":
                where.append(f"meta.year IN ({','.join('?' * len(wanted))})")
                args += [int(w) for w in wanted]
            else:
                where.append(f"meta.{column} IN ({','.join('?' * len(wanted))})")
                args += list(wanted)
        if filters.year_from is not None:
            where.append("meta.year >= ?")
            args.append(filters.year_from)
        if filters.year_to is not None:
            where.append("meta.year <= ?")
            args.append(filters.year_to)
        sql = "SELECT meta.pid, p.text FROM p JOIN meta ON meta.rowid = p.rowid"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.execute(sql, args).fetchall()
        if post:
            # Multi-run quoted phrases: the runs must also follow each other (FTS5 cannot say
            # "separated by punctuation only"); a cheap check on the candidates.
            exact = query_predicate(parsed)
            rows = [row for row in rows if exact(row[1])]
        return {pid for pid, _text in rows}, fallback
