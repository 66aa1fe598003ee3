"""Query expansion: what else a staffer means by a term, decided once for both engines.

Two sources, applied after the literal match and always weighted below it:

* the union-domain list ``engine/data/equivalences.toml`` — equivalents
  (职代会 ↔ 职工代表大会 ↔ 教代会) and the rewordings template sites use to
  dodge duplicate detection (农民工 → 农夫工). It is read at query time (and
  re-read when edited), so changing it needs no rebuild;
* a sub-word fallback: a term of three or more characters with few literal
  hits is also looked for as its words within one paragraph
  (工会组建 → 工会 + 组建), each word with its own equivalents.

Quoted phrases and excluded terms never expand; ``literal=True`` turns the
whole thing off (the results page's literal-only switch). The result is a
plain description (``Expansion``); engine.plan turns it into query nodes.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine import analysis
from engine.query import ParsedQuery, Term

DATA_FILE = Path(__file__).parent / "data" / "equivalences.toml"
#: A multi-word term with fewer literal hits than this (under the search's filters) is also split into its words.
FALLBACK_BELOW = 50
#: Shortest term (in characters) that the sub-word fallback splits.
FALLBACK_MIN_CHARS = 3
#: Bound on the alternatives one term gets, so that a generous list cannot make a query explode.
MAX_ALTERNATIVES = 12


@dataclass(frozen=True)
class Alternative:
    """Another way to satisfy a term: every part must occur, a part by any of its forms."""

    parts: tuple[tuple[str, ...], ...]
    weight: float
    kind: str  # "equivalent" | "includes" | "reword" | "subwords"

    @property
    def label(self) -> str:
        """How the results page names it: 职工代表大会, or 工会+组建 for a split term."""
        return "+".join(part[0] for part in self.parts)

    def forms(self) -> list[str]:
        """Every string this alternative may match (what the highlighter marks)."""
        return [form for part in self.parts for form in part]


@dataclass(frozen=True)
class Expansion:
    """The alternatives added to each expandable term of one query."""

    by_term: dict[Term, tuple[Alternative, ...]] = field(default_factory=dict)

    def of(self, term: Term) -> tuple[Alternative, ...]:
        """The alternatives added to ``term`` (none for a quoted phrase)."""
        return self.by_term.get(term, ())

    def added(self) -> list[str]:
        """What was searched besides the query's own words, in query order, each once."""
        return list(dict.fromkeys(alt.label for alts in self.by_term.values() for alt in alts))

    def highlight_terms(self) -> list[str]:
        """Every form an expanded match may show, for the highlighter."""
        return list(dict.fromkeys(form for alts in self.by_term.values() for alt in alts for form in alt.forms()))


NO_EXPANSION = Expansion()


@dataclass(frozen=True)
class Table:
    """The equivalence list as lookups on folded words."""

    equivalents: dict[str, tuple[str, ...]]
    includes: dict[str, tuple[str, ...]]
    rewords: dict[str, tuple[str, ...]]
    weights: dict[str, float]


_lock = threading.Lock()
_cache: tuple[tuple[int, int], Table] | None = None


def _key(text: str) -> str:
    """The folded word characters of a term (what matching compares)."""
    return "".join(analysis.literal_runs(text))


def parse_table(data: dict) -> Table:
    """Build the lookups from the parsed TOML (see the file's header for its shape)."""
    equivalents: dict[str, list[str]] = {}
    for group in data.get("equivalent", []):
        members = list(dict.fromkeys(k for k in map(_key, group.get("terms", [])) if len(k) >= 2))
        for member in members:
            others = equivalents.setdefault(member, [])
            others.extend(m for m in members if m != member and m not in others)
    includes: dict[str, list[str]] = {}
    for entry in data.get("includes", []):
        word = _key(entry.get("word", ""))
        if len(word) >= 2:
            covered = includes.setdefault(word, [])
            covered.extend(k for k in map(_key, entry.get("covers", [])) if len(k) >= 2 and k not in covered)
    rewords: dict[str, list[str]] = {}
    for entry in data.get("reword", []):
        word = _key(entry.get("word", ""))
        variants = [k for k in map(_key, entry.get("as", [])) if len(k) >= 2 and k != word]
        if len(word) < 2:
            continue
        rewords.setdefault(word, []).extend(v for v in variants if v not in rewords[word])
        for variant in variants:  # a reworded page's own word leads back to the real one
            rewords.setdefault(variant, [])
            if word not in rewords[variant]:
                rewords[variant].append(word)
    weights = {"equivalent": 0.7, "reword": 0.5, "subwords": 0.4}
    weights.update({k: float(v) for k, v in data.get("weights", {}).items()})
    return Table(
        {k: tuple(v) for k, v in equivalents.items()},
        {k: tuple(v) for k, v in includes.items()},
        {k: tuple(v) for k, v in rewords.items()},
        weights,
    )


def load_table(path: Path = DATA_FILE) -> Table:
    """The list, re-read when the file changes (a stat per search), so edits apply without a restart."""
    global _cache
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        return Table({}, {}, {}, {})
    with _lock:
        if _cache is None or _cache[0] != stamp:
            _cache = (stamp, parse_table(tomllib.loads(path.read_text(encoding="utf-8"))))
        return _cache[1]


def _forms(word: str, table: Table) -> tuple[str, ...]:
    """A word and its equivalents and rewordings (the word first)."""
    related = (*table.equivalents.get(word, ()), *table.includes.get(word, ()), *table.rewords.get(word, ()))
    return tuple(dict.fromkeys((word, *related)))


def subwords(term: str) -> list[str]:
    """The words of a term, for the fallback: jieba's precise cut, a dictionary word covered by its parts.

    工会组建 → 工会 组建; 工资集体协商 (one dictionary word) → 工资 集体 协商.
    Single characters are dropped: alone they match nearly everything.
    """
    key = _key(term)
    pieces: list[str] = []
    for word in analysis.precise_words(key):
        if len(word) >= FALLBACK_MIN_CHARS and word == key:
            # One dictionary word: cover it, left to right, by the longest shorter words jieba knows inside it.
            inner = {w for w in analysis.word_tokens(word) if 2 <= len(w) < len(word)}
            i = 0
            while i < len(word):
                best = max((w for w in inner if word.startswith(w, i)), key=len, default=word[i])
                pieces.append(best)
                i += len(best)
        else:
            pieces.append(word)
    return [p for p in pieces if len(p) >= 2]


def expand(
    parsed: ParsedQuery,
    literal_count: Callable[[Term], int] | None = None,
    table: Table | None = None,
) -> Expansion:
    """The alternatives for every unquoted required term of ``parsed``.

    ``literal_count`` (hits of a term alone under the search's filters)
    decides the sub-word fallback; without it, no term is split. Only
    whether it is below FALLBACK_BELOW matters, so a backend may stop
    counting there and answer any number from FALLBACK_BELOW up.
    """
    table = table if table is not None else load_table()
    weights = table.weights
    by_term: dict[Term, tuple[Alternative, ...]] = {}
    for clause in parsed.required:
        for term in clause.alternatives:
            if term.phrase or term in by_term:
                continue
            key = _key(term.text)
            if len(key) < 2:
                continue
            alts: list[Alternative] = []
            alts += [Alternative(((e,),), weights["equivalent"], "equivalent") for e in table.equivalents.get(key, ())]
            alts += [Alternative(((e,),), weights["equivalent"], "includes") for e in table.includes.get(key, ())]
            alts += [Alternative(((r,),), weights["reword"], "reword") for r in table.rewords.get(key, ())]
            if literal_count is not None and len(key) >= FALLBACK_MIN_CHARS:
                words = subwords(key)
                if len(words) >= 2 and literal_count(term) < FALLBACK_BELOW:
                    parts = tuple(_forms(w, table) for w in words)
                    alts.append(Alternative(parts, weights["subwords"], "subwords"))
            if alts:
                by_term[term] = tuple(alts[:MAX_ALTERNATIVES])
    return Expansion(by_term)


def expandable(parsed: ParsedQuery) -> Iterable[Term]:
    """The terms that could be split by the fallback (the ones worth a literal count)."""
    for clause in parsed.required:
        for term in clause.alternatives:
            if not term.phrase and len(_key(term.text)) >= FALLBACK_MIN_CHARS:
                yield term
