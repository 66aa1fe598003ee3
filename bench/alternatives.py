"""What the engine is compared with: a plain substring scan, and SQLite FTS5 with the trigram tokenizer.

Both answer the benchmark queries over the same parsed paragraphs
(paragraphs.jsonl) with the engine's matching rules (engine.query,
engine.plan ``text_query``), rebuilt here from the records alone:

* a required clause holds when one of its terms occurs in the paragraph's own
  text or in the headings above it (its ``section_path``; engine.plan
  ``term_match`` over the ``chars`` and ``context`` views). A term occurs in a
  text when every literal run of it does; a quoted phrase of runs of two or
  more characters needs its runs one after the other, separated by nothing or
  by non-word characters only, and, in the headings, within one heading
  (the ``context`` view puts a break no phrase crosses between headings);
  the runs of an unquoted term may each be in a different heading, as each is
  its own condition on the ``context`` field;
* an excluded term is looked for in the paragraph's own text only;
* headings are never hits (engine.plan ``not_a_heading``), except in an
  article that has nothing but headings (engine.documents ``settle_headings``):
  this holds for every request, an empty query included;
* the facet filters hold (OR within a facet, AND across).

Texts are folded as the ``chars`` view folds them (engine.analysis ``fold``
and ``without_readings``).

* ``SubstringScan`` is Ctrl-F over the whole archive: Python ``in`` over the
  folded texts (folding done once, ahead of time, and timed separately).
* ``Fts5Trigram`` keeps the folded texts and headings in an FTS5 table with
  ``tokenize='trigram'``. A literal run of three or more characters is a
  MATCH on the index; a two-character run cannot be: FTS5's trigram index
  matches no row for a shorter string, so such runs are answered with
  ``LIKE '%…%'``, a scan of the table (reported per query as ``fallback``).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import analysis
from engine import facets as registry
from engine.query import ParsedQuery, Term, parse_query

_SEP = r"(?:[^\w]|_)*"
#: Joins a paragraph's folded headings in the FTS5 ``context`` column: a control character the
#: cleaned text never holds, and not a word character, so no literal run spans two headings.
CONTEXT_JOIN = "\x1f"
#: The matching rules mirrored here, recorded with every agreement result (bench/report/agreement.py).
MATCHING = "headings as context"
#: What the records must carry for the matching rules above (bench/parse.py writes them).
REQUIRED_KEYS = ("id", "text", "section_path", "is_heading", "article_id")


def match_text(text: str) -> str:
    """A text folded as the engine's ``chars`` view folds it (width, case, variants, no pinyin readings)."""
    return analysis.without_readings(analysis.fold(text))


@dataclass(frozen=True)
class Folded:
    """One paragraph as the matching rules see it."""

    text: str
    headings: tuple[str, ...]
    #: False for a heading of an article with body paragraphs: context only, never a hit.
    hit: bool


def hit_flags(records: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Per record: can it be a hit? Not a heading, or a heading of an article with nothing but headings."""
    with_body = {r["article_id"] for r in records if not r["is_heading"]}
    return [not r["is_heading"] or r["article_id"] not in with_body for r in records]


def folded_records(records: Sequence[Mapping[str, Any]]) -> list[Folded]:
    """Every record folded for matching (its text and each heading above it)."""
    missing = [key for key in REQUIRED_KEYS if records and key not in records[0]]
    if missing:
        raise SystemExit(f"paragraphs.jsonl lacks {', '.join(missing)}: run `python -m bench parse` again")
    return [
        Folded(match_text(r["text"]), tuple(match_text(h) for h in r["section_path"]), hit)
        for r, hit in zip(records, hit_flags(records), strict=True)
    ]


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


def _chained(term: Term, runs: Sequence[str]) -> bool:
    """Whether the runs must follow each other (engine.plan.literal_match: a phrase of runs of 2+ characters)."""
    return term.phrase and len(runs) > 1 and all(len(r) > 1 for r in runs)


def term_predicate(term: Term) -> Callable[[str], bool]:
    """folded text → bool, matching like engine.plan.literal_match on one ``chars`` field."""
    runs = term_runs(term)
    if not runs:
        return lambda _text: False
    if _chained(term, runs):
        pattern = _phrase_regex(runs)
        return lambda text: pattern.search(text) is not None
    if len(runs) == 1:
        run = runs[0]
        return lambda text: run in text
    return lambda text: all(run in text for run in runs)


def context_predicate(term: Term) -> Callable[[tuple[str, ...]], bool]:
    """folded headings → bool, matching like engine.plan.literal_match on the ``context`` field.

    A chained phrase must lie within one heading (a heading break is a token no
    phrase crosses); otherwise each run is its own condition on the whole
    field, so the runs may sit in different headings.
    """
    runs = term_runs(term)
    if not runs:
        return lambda _headings: False
    if _chained(term, runs):
        pattern = _phrase_regex(runs)
        return lambda headings: any(pattern.search(h) is not None for h in headings)
    return lambda headings: all(any(run in h for h in headings) for run in runs)


def _nowhere(_headings: tuple[str, ...]) -> bool:
    return False


def query_predicate(parsed: ParsedQuery, headings: bool = True) -> Callable[[Folded], bool]:
    """A test of one folded paragraph: is it a hit of the query (engine.plan.text_query)?

    ``headings=False`` looks for the terms in the paragraph's own text only
    (to count the hits that only their headings make).
    """
    clauses = [
        [(term_predicate(t), context_predicate(t) if headings else _nowhere) for t in clause.alternatives]
        for clause in parsed.required
    ]
    excluded = [term_predicate(t) for t in parsed.excluded]

    def matches(p: Folded) -> bool:
        """Whether the paragraph satisfies the query."""
        if not p.hit:
            return False
        for alternatives in clauses:
            if not any(own(p.text) or ctx(p.headings) for own, ctx in alternatives):
                return False
        return not any(own(p.text) for own in excluded)

    return matches


class SubstringScan:
    """Ctrl-F over the archive: Python ``in`` over every folded paragraph and its headings."""

    def __init__(self, records: Sequence[Mapping[str, Any]]) -> None:
        started = time.perf_counter()
        self.records = records
        self.folded = folded_records(records)
        self.prepare_s = time.perf_counter() - started

    def search(self, query: str, filters: Filters) -> set[str]:
        """Ids of the paragraphs matching ``query`` under ``filters``."""
        matches = query_predicate(parse_query(query))
        records = self.records
        return {records[i]["id"] for i, p in enumerate(self.folded) if matches(p) and filters.accepts(records[i])}

    def through_headings(self, query: str, filters: Filters) -> int:
        """How many hits of ``query`` match only because of the headings above them."""
        parsed = parse_query(query)
        matches, own_text = query_predicate(parsed), query_predicate(parsed, headings=False)
        records = self.records
        return sum(
            1 for i, p in enumerate(self.folded) if matches(p) and not own_text(p) and filters.accepts(records[i])
        )


def _like(run: str) -> str:
    """A LIKE pattern finding ``run`` anywhere ('\\' escapes)."""
    return "%" + run.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class _Sql:
    """The WHERE clause of one FTS5 search, built term by term."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.args: list[Any] = []
        self.fallback = False
        #: A chained phrase: the candidates are checked in Python (FTS5 cannot say "separated by punctuation only").
        self.post = False

    def runs_in(self, column: str, term: Term) -> str:
        """Every literal run of ``term`` occurs in ``column`` (MATCH for 3+ characters, else LIKE)."""
        runs = term_runs(term)
        if not runs:
            return "0"
        parts = []
        for run in runs:
            if len(run) >= 3:
                parts.append("p.rowid IN (SELECT rowid FROM p WHERE p MATCH ?)")
                self.args.append(f'{column} : "' + run.replace('"', '""') + '"')
            else:
                self.fallback = True
                parts.append(f"p.{column} LIKE ? ESCAPE '\\'")
                self.args.append(_like(run))
        self.post = self.post or _chained(term, runs)
        return "(" + " AND ".join(parts) + ")"

    def exclude(self, term: Term) -> None:
        """An excluded term, looked for in the paragraph's own text only."""
        if _chained(term, term_runs(term)):
            # All runs present does not mean the phrase is: only the exact check may exclude.
            self.post = True
            return
        self.where.append("NOT " + self.runs_in("text", term))

    def clause(self, terms: Iterable[Term]) -> None:
        """One required clause: a term in the paragraph's text or in its headings."""
        alternatives = [f"{self.runs_in('text', t)} OR {self.runs_in('context', t)}" for t in terms]
        self.where.append("(" + " OR ".join(alternatives) + ")")

    def facets(self, filters: Filters) -> None:
        """The facet and year filters on the side table."""
        for facet, wanted in filters.values.items():
            column = registry.facet(facet).field
            if facet == "topic":
                self.where.append("(" + " OR ".join("meta.topics LIKE ?" for _ in wanted) + ")")
                self.args += [f"%|{w}|%" for w in wanted]
            elif facet == "year":
                self.where.append(f"meta.year IN ({','.join('?' * len(wanted))})")
                self.args += [int(w) for w in wanted]
            else:
                self.where.append(f"meta.{column} IN ({','.join('?' * len(wanted))})")
                self.args += list(wanted)
        if filters.year_from is not None:
            self.where.append("meta.year >= ?")
            self.args.append(filters.year_from)
        if filters.year_to is not None:
            self.where.append("meta.year <= ?")
            self.args.append(filters.year_to)


class Fts5Trigram:
    """SQLite FTS5 (trigram tokenizer) over the folded paragraphs and their headings, facets in a side table."""

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
        folded = folded_records(records)
        db = sqlite3.connect(str(self.path))
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE VIRTUAL TABLE p USING fts5(text, context, tokenize = 'trigram');
            CREATE TABLE meta (rowid INTEGER PRIMARY KEY, pid TEXT, hit INTEGER, township TEXT, year INTEGER,
                               period TEXT, org_level TEXT, org_name TEXT, source_path TEXT, topics TEXT);
            """
        )
        db.executemany(
            "INSERT INTO p (rowid, text, context) VALUES (?, ?, ?)",
            ((i, f.text, CONTEXT_JOIN.join(f.headings)) for i, f in enumerate(folded, start=1)),
        )
        db.executemany(
            "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    i,
                    r["id"],
                    int(f.hit),
                    r.get("township") or "",
                    r.get("year"),
                    r.get("period") or "",
                    r.get("org_level") or "",
                    r.get("org_name") or "",
                    r.get("source_path") or "",
                    "|" + "|".join(r.get("topics") or ()) + "|",
                )
                for i, (r, f) in enumerate(zip(records, folded, strict=True), start=1)
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
        sql = _Sql()
        # Headings are context, never hits (except in an article of headings only): on every request.
        sql.where.append("meta.hit = 1")
        for clause in parsed.required:
            sql.clause(clause.alternatives)
        for term in parsed.excluded:
            sql.exclude(term)
        sql.facets(filters)
        statement = "SELECT meta.pid, p.text, p.context FROM p JOIN meta ON meta.rowid = p.rowid"
        rows = self.db.execute(statement + " WHERE " + " AND ".join(sql.where), sql.args).fetchall()
        if sql.post:
            # Chained phrases: the runs must also follow each other (required) or must not (excluded);
            # a cheap check on the candidates.
            exact = query_predicate(parsed)
            rows = [row for row in rows if exact(Folded(row[1], tuple(row[2].split(CONTEXT_JOIN)), True))]
        return {row[0] for row in rows}, sql.fallback
