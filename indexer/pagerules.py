"""The page-zone rule file (indexer/data/page_zones.toml), loaded and compiled once.

Cue families are lists of regular expressions matched on the folded view
(indexer.folding: NFKC, Simplified, lower case, readings removed), so one rule
covers Traditional and full-width pages alike. Users extend the families; the
code only counts how many families a line hits.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.enrichment.keywords import KeywordGroups, trie_pattern
from indexer.enrichment.pattern_facts import at_start_only, required_alternatives, required_text, with_first_chars

DEFAULT_ZONE_RULES = Path(__file__).resolve().parent / "data" / "page_zones.toml"


@dataclass(frozen=True)
class LineRule:
    """A line is debris when it hits ``min_families`` of ``families`` (and ``required``, if set)."""

    name: str
    families: tuple[str, ...]
    min_families: int
    required: tuple[str, ...] = ()
    max_length: int = 0  # 0: any length
    sentences: bool = False  # also tried on runs of sentences inside a line


@dataclass(frozen=True)
class AnyPattern:
    """Whether any of several patterns occurs in a text, in at most two regex scans.

    One alternation of ~150 cues is tried cue by cue at every position of a line. Here
    the cues anchored at the start (``^…``) are tried at the start only, and the rest as one
    alternation behind an assertion of the characters a match can start with, so that the
    regex engine rejects most positions with one test. Before that alternation, ``needs``
    (when every other cue has texts one of which its matches contain, see
    indexer.enrichment.pattern_facts.required_alternatives) looks for those texts in one
    trie scan, which the engine runs skipping ahead: most lines hold none of them. Same
    answer as searching the plain alternation (tests/indexer/cleaning/test_zone_scans.py).
    """

    at_start: re.Pattern[str] | None
    anywhere: re.Pattern[str] | None
    needs: re.Pattern[str] | None = None

    @classmethod
    def of(cls, patterns: list[str]) -> AnyPattern:
        """The scan for ``patterns`` (regular expressions without global flags)."""
        first = [p for p in patterns if at_start_only(re.compile(p))]
        rest = [p for p in patterns if p not in first]
        needed = [required_alternatives(re.compile(p)) for p in rest]
        needs = trie_pattern({t for texts in needed for t in texts or ()}) if None not in needed else None
        return cls(_alternation(first), with_first_chars(_alternation(rest)) if rest else None, needs)

    def search(self, text: str) -> bool:
        """Whether one of the patterns matches somewhere in ``text``."""
        if self.at_start is not None and self.at_start.match(text):
            return True
        if self.anywhere is None or (self.needs is not None and self.needs.search(text) is None):
            return False
        return self.anywhere.search(text) is not None


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _family_needs(families: list[list[str]]) -> KeywordGroups:
    """Which families (by their index) a text may hit: those whose cues' required texts it holds.

    A family with a cue that requires no known text is always among them.
    """
    groups: list[list[str]] = []
    for patterns in families:
        needed = [required_alternatives(re.compile(p)) for p in patterns]
        groups.append([""] if None in needed else sorted({t for texts in needed for t in texts or ()}))
    return KeywordGroups(groups)


@lru_cache(maxsize=4)
def zone_rules(path: Path = DEFAULT_ZONE_RULES) -> dict:
    """The parsed rule file: compiled ``families`` (and ``any_family``, their union, and
    ``family_needs``, which of them a line can hit), ``line_rules``,
    ``inline`` patterns (with ``inline_needs``, the text each one's matches contain, and the
    ``inline_trigger`` every one of them needs), ``titles`` and ``zones``."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        # Each family behind the characters its cues can start with: a line hit by one family is
        # searched for every other one, and the assertion lets the engine skip most positions.
        families = {
            name: with_first_chars(re.compile("|".join(f"(?:{p})" for p in pats)))
            for name, pats in raw["families"].items()
        }
        rules = tuple(
            LineRule(
                r["name"],
                tuple(r["families"]),
                int(r.get("min_families", 1)),
                tuple(r.get("required", ())),
                int(r.get("max_length", 0)),
                r.get("scope", "line") == "sentences",
            )
            for r in raw["line_rules"]
        )
        inline = tuple(re.compile(p) for p in raw["inline"]["patterns"])
        # What each inline pattern's matches must contain, so that a line without it is not scanned.
        inline_needs = tuple(required_text(p)[1] for p in inline)
        trigger = re.compile(raw["inline"]["trigger"])
        any_family = AnyPattern.of([p for pats in raw["families"].values() for p in pats])
        family_needs = _family_needs(list(raw["families"].values()))
    except re.error as exc:
        raise ValueError(f"{path}: bad regular expression: {exc}") from exc
    unknown = {f for r in rules for f in (*r.families, *r.required)} - families.keys()
    if unknown:
        raise ValueError(f"{path}: line rules name unknown families: {sorted(unknown)}")
    return {
        "families": families,
        "any_family": any_family,
        "family_needs": family_needs,
        "line_rules": rules,
        "inline": tuple(with_first_chars(p) for p in inline),
        "inline_needs": inline_needs,
        "inline_trigger": trigger,
        "titles": raw["titles"],
        "zones": raw["zones"],
    }
