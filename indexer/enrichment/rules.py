"""The editable rule files behind enrichment (indexer/data/*.toml), loaded once.

facets.toml holds cue families: lists of regular expressions over the folded text
(indexer/folding.py). A list entry is a pattern, or ``[pattern, weight]`` when one cue
says more (or less) than the others of its family.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.enrichment.keywords import KeywordGroups
from indexer.enrichment.pattern_facts import required_text, with_first_chars

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Cue:
    """One pattern of a family, with its weight and what every match of it must contain.

    ``literal``: the pattern matches exactly this string (no regex syntax), so its
    non-overlapping matches are counted by ``str.count``. ``needs``: a string every
    match contains ("" when none is known), so a text without it is skipped
    without running the regex. Both come from
    :func:`indexer.enrichment.pattern_facts.required_text`.
    """

    pattern: re.Pattern[str]
    weight: float
    literal: str | None
    needs: str

    @classmethod
    def compile(cls, source: str, weight: float = 1.0) -> Cue:
        """Compile ``source`` and work out its literal form and required text."""
        pattern = re.compile(source)
        literal, needs = required_text(pattern)
        return cls(with_first_chars(pattern), weight, literal, needs)

    def count(self, text: str) -> int:
        """The number of (non-overlapping) matches in ``text``, as ``finditer`` finds them."""
        if self.literal is not None:
            return text.count(self.literal)
        if self.needs not in text:
            return 0
        return len(self.pattern.findall(text))  # the same matches as finditer, without a step per match

    def occurs(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text``."""
        if self.literal is not None:
            return self.literal in text
        return self.needs in text and self.pattern.search(text) is not None

    def last_end(self, text: str) -> int:
        """Where the last of the ``finditer`` matches ends (-1 when none occurs)."""
        if self.needs not in text:
            return -1
        # Not str.rfind: for a literal that overlaps itself the last non-overlapping match ends earlier.
        return max((m.end() for m in self.pattern.finditer(text)), default=-1)


@dataclass(frozen=True)
class CueFamily:
    """A family of cues: each pattern with its weight (1.0 unless the data file says otherwise)."""

    cues: tuple[Cue, ...]

    def score(self, text: str, cap: int = 0, counts: LiteralCounts | None = None) -> float:
        """The weighted number of matches in ``text``; with ``cap``, at most ``cap`` matches per cue.

        ``counts``: the literal cues' counts in this very ``text``, when the caller has them.
        """
        if not text:
            return 0.0
        known = counts.known if counts is not None and counts.text is text else None
        total = 0.0
        for cue in self.cues:
            # Most cues are plain words: count them here rather than through a call per cue.
            literal = cue.literal
            if literal is None:
                hits = cue.count(text)
            elif known is None:
                hits = text.count(literal)
            else:
                hits = known.get(literal)
                if hits is None:
                    hits = counts(literal)  # type: ignore[misc]
            if hits:  # adding nothing for a cue that does not occur leaves the same sum
                total += cue.weight * (min(hits, cap) if cap else hits)
        return total

    def hits(self, text: str) -> bool:
        """Whether any cue of the family occurs in ``text``."""
        return bool(text) and any(cue.occurs(text) for cue in self.cues)

    def last_end(self, text: str) -> int:
        """Where the family's last cue in ``text`` ends (-1 when none occurs)."""
        if not text:
            return -1
        return max((cue.last_end(text) for cue in self.cues), default=-1)


class LiteralIndex:
    """The literal cues of a rule file, for finding which of them occur in a text in one scan."""

    def __init__(self, literals: list[str]) -> None:
        self.literals = tuple(dict.fromkeys(literal for literal in literals if literal))
        self.literal_set = frozenset(self.literals)
        self._scan = KeywordGroups([[literal] for literal in self.literals])

    def occurring(self, text: str) -> frozenset[str]:
        """The literals that occur in ``text``."""
        return frozenset(self.literals[i] for i in self._scan.present(text))


class LiteralCounts:
    """How often each literal cue occurs in one text: found in one scan, counted only where it occurs.

    Most of the hundreds of literal cues of facets.toml are absent from a given
    article; counting each costs a pass over the text, while one scan for all of
    them (a trie, indexer.enrichment.keywords) tells the few to count. ``maybe``:
    the indexed literals that may occur (found by the scan when not given); a
    literal outside the index is simply counted.
    """

    __slots__ = ("_maybe", "known", "text")

    def __init__(self, text: str, index: LiteralIndex, maybe: frozenset[str] | None = None) -> None:
        self.text = text
        self._maybe = index.occurring(text) if maybe is None else maybe
        #: The counts known so far: 0 for every indexed literal that cannot occur, others once counted.
        self.known: dict[str, int] = dict.fromkeys(index.literal_set.difference(self._maybe), 0)

    @property
    def occurring(self) -> frozenset[str]:
        """The indexed literals that may occur in the text (exactly those that do when found by the scan)."""
        return self._maybe

    def __call__(self, literal: str) -> int:
        """Non-overlapping occurrences of ``literal`` in the text (``str.count``)."""
        count = self.known.get(literal)
        if count is None:
            count = self.known[literal] = self.text.count(literal)
        return count


def _literal_index(families: list[CueFamily]) -> LiteralIndex:
    return LiteralIndex([cue.literal for family in families for cue in family.cues if cue.literal is not None])


@dataclass(frozen=True)
class LevelCues:
    """One org_level value and its cue families (see facets.toml, [org_level.*])."""

    value: str
    families: dict[str, CueFamily]


@dataclass(frozen=True)
class Topic:
    """A topic of the taxonomy and the keywords that reveal it."""

    name: str
    keywords: tuple[str, ...]
    in_headings: tuple[str, ...]


def family(entries: list | None) -> CueFamily:
    """Compile a list of cue entries (``"pattern"`` or ``["pattern", weight]``)."""
    cues: list[Cue] = []
    for entry in entries or ():
        pattern, weight = (entry, 1.0) if isinstance(entry, str) else (entry[0], float(entry[1]))
        cues.append(Cue.compile(pattern, weight))
    return CueFamily(tuple(cues))


def _families(table: dict) -> dict[str, CueFamily]:
    return {name: family(entries) for name, entries in table.items()}


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return with_first_chars(re.compile("|".join(f"(?:{p})" for p in patterns)))


@lru_cache(maxsize=4)
def facet_rules(path: Path = DATA / "facets.toml") -> dict:
    """Parsed facets.toml with compiled cue families."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    writer = raw["writer"]
    org_words = sorted(writer["org_words"], key=len, reverse=True)
    rules = {
        "writer": {
            "superior": _alternation(writer["superior"]),
            "org_words": tuple(org_words),
            "org_word": re.compile("|".join(map(re.escape, org_words))),
            "unit_types": tuple(sorted(set(writer["unit_types"]), key=len, reverse=True)),
            "name_stops": frozenset(writer["name_stops"]),
            "stop_words": re.compile("|".join(map(re.escape, sorted(writer["stop_words"], key=len, reverse=True)))),
            "signoff_max_chars": int(writer["signoff_max_chars"]),
            "part_words": tuple(writer["part_words"]),
            "superior_kinds": tuple(writer["superior_kinds"]),
        },
        "org_level": tuple(LevelCues(value, _families(table)) for value, table in raw["org_level"].items()),
        "org_level_weights": raw["org_level_weights"],
        "township": raw["township"],
        "period": {
            "cues": _families(raw["period"]["cues"]),
            "title": _families(raw["period"]["title"]),
            "weights": raw["period"]["weights"],
            "title_weight": float(raw["period"]["title_weight"]),
        },
        "year": {
            "report": tuple(with_first_chars(re.compile(p, re.MULTILINE)) for p in raw["year"]["report"]),
            "plan": _alternation(raw["year"]["plan"]),
            "blank": _alternation(raw["year"]["blank"]),
            "label": _alternation(raw["year"]["label"]),
        },
        "doc_type": {
            "default": raw["doc_type"]["default"],
            "minimum": float(raw["doc_type"]["minimum"]),
            "title": _families(raw["doc_type"]["title"]),
            "body": _families(raw["doc_type"]["body"]),
            "weights": raw["doc_type"]["weights"],
        },
        "org_type": {
            "default": raw["org_type"]["default"],
            "other": raw["org_type"]["other"],
            "minimum": float(raw["org_type"]["minimum"]),
            "cues": _families(raw["org_type"]["cues"]),
            "weights": raw["org_type"]["weights"],
        },
    }
    rules["literals"] = _literal_index(all_families(rules))
    return rules


def all_families(rules: dict) -> list[CueFamily]:
    """Every cue family of a parsed facets.toml (:func:`facet_rules`)."""
    found = [family for level in rules["org_level"] for family in level.families.values()]
    for table in (rules["period"]["cues"], rules["period"]["title"], rules["doc_type"]["title"]):
        found.extend(table.values())
    found.extend(rules["doc_type"]["body"].values())
    found.extend(rules["org_type"]["cues"].values())
    return found


@lru_cache(maxsize=4)
def taxonomy(path: Path = DATA / "topics.toml") -> tuple[tuple[Topic, ...], int]:
    """The topics in file order and the paragraph count that gives an article a topic."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    topics = tuple(
        Topic(name, tuple(spec.get("keywords", ())), tuple(spec.get("in_headings", ())))
        for name, spec in raw["topics"].items()
    )
    return topics, int(raw.get("article_min_paragraphs", 1))
