"""Parse what a user types into the search box into a small, safe query tree.

Syntax: space-separated terms must all occur; ``"…"`` (or “…”) is an exact
phrase; ``-term`` excludes; ``A OR B`` offers alternatives. Nothing the user
types ever reaches an engine's own query language: the tree built here is
compiled by engine.plan into structured queries. Malformed input (an
unbalanced quote, a dangling OR or minus) degrades to plain words; parsing
never raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Longest query we parse; the portal rejects longer ones with a 400 first.
MAX_QUERY_LENGTH = 200

_QUOTES = {'"': '"', "“": "”", "”": "“", "「": "」", "『": "』"}
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』|(\S+))')


@dataclass(frozen=True)
class Term:
    """A word or phrase to look for literally (after width/variant folding)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Clause:
    """Alternatives of which at least one must occur (a single term without OR)."""

    alternatives: tuple[Term, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """Every required clause must match and no excluded term may occur."""

    required: tuple[Clause, ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the query neither requires nor excludes anything."""
        return not self.required and not self.excluded

    def positive_terms(self) -> list[str]:
        """The texts to highlight: every alternative of every required clause."""
        seen: dict[str, None] = {}
        for clause in self.required:
            for term in clause.alternatives:
                seen.setdefault(term.text, None)
        return list(seen)


def _normalise_syntax(raw: str) -> str:
    # Full-width minus, quote and space variants typed from a Chinese IME
    # behave like their ASCII forms for syntax purposes only.
    out = []
    for ch in raw[:MAX_QUERY_LENGTH]:
        if ch in "－—\u2212":
            out.append("-")
        elif unicodedata.category(ch) == "Zs" or ch in "\t\r\n":
            out.append(" ")
        elif ch == "＂":
            out.append('"')
        else:
            out.append(ch)
    text = "".join(out)
    # An unbalanced quote of any style degrades to plain words.
    if text.count('"') % 2:
        text = text.replace('"', " ")
    for opening, closing in (("“", "”"), ("「", "」"), ("『", "』")):
        if text.count(opening) != text.count(closing):
            text = text.replace(opening, " ").replace(closing, " ")
    return text


def parse_query(raw: str | None) -> ParsedQuery:
    """Parse raw user input; never raises, returns an empty query for blank input."""
    if not raw:
        return ParsedQuery()
    text = _normalise_syntax(raw)
    items: list[tuple[bool, Term] | str] = []
    for match in _TOKEN.finditer(text):
        negated = bool(match.group(1))
        quoted = next((g for g in match.groups()[1:5] if g is not None), None)
        if quoted is not None:
            body = " ".join(quoted.split())
            if body:
                items.append((negated, Term(body, phrase=True)))
            continue
        word = match.group(6).strip("-")
        if not word:
            continue
        if word == "OR" and not negated:
            items.append("OR")
        else:
            items.append((negated, Term(word)))

    required: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for item in items:
        if item == "OR":
            join_next = bool(required)
            continue
        negated, term = item  # type: ignore[misc]
        if negated:
            excluded.append(term)
            join_next = False
        elif join_next:
            if term not in required[-1]:
                required[-1].append(term)
            join_next = False
        else:
            required.append([term])
    return ParsedQuery(
        required=tuple(Clause(tuple(alts)) for alts in required),
        excluded=tuple(dict.fromkeys(excluded)),
    )
