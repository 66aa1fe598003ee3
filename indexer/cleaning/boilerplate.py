"""Site boilerplate rules, read from a data file users can extend."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from indexer.enrichment.pattern_facts import at_start_only, required_text
from indexer.folding import fold

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "data" / "boilerplate.txt"
KINDS = ("line", "tail", "inline")


@dataclass(frozen=True)
class BoilerplateRules:
    """Compiled rules: whole-line drops, drop-from-here-on, and inline removals."""

    line: tuple[re.Pattern[str], ...] = ()
    tail: tuple[re.Pattern[str], ...] = ()
    inline: tuple[re.Pattern[str], ...] = ()

    def apply(self, lines: list[tuple[str, int | None]]) -> tuple[list[tuple[str, int | None, bool]], dict[str, str]]:
        """Mark ``(text, heading level)`` lines matched by a line rule as debris, cut the tail.

        Returns ``(text, level, is_debris)`` rows and the values captured by
        named groups. Debris stays in the list so that the zones can tell
        that a wrapped line goes on from it. Line and tail rules match on the
        folded view, so Traditional and full-width pages meet the same rules;
        inline rules cut the text as written.
        """
        kept: list[tuple[str, int | None, bool]] = []
        captured: dict[str, str] = {}
        tail, line, inline = self._scans
        for text, level in lines:
            folded = fold(text.strip())
            if tail.first(folded):
                break
            match = line.first(folded)
            if match:
                for name, value in match.groupdict().items():
                    if value:
                        captured.setdefault(name, value)
                kept.append((text, level, True))
                continue
            for pattern, needs in inline:
                if needs in text:  # a pattern whose required text is absent removes nothing
                    text = pattern.sub("", text)
            kept.append((text, level, False))
        return kept, captured

    @cached_property
    def _scans(self) -> tuple[_RuleScan, _RuleScan, tuple[tuple[re.Pattern[str], str], ...]]:
        # Inline rules all apply in turn (no first match to find): each only needs its required text.
        inline = tuple((pattern, _required(pattern)) for pattern in self.inline)
        return _RuleScan(self.tail), _RuleScan(self.line), inline


class _RuleScan:
    """Rules of one kind, tried on a line in order, with what lets most lines pass them over.

    Every line of every document meets every rule, and nearly all lines match none:
    the rules anchored at the line's start are tried there together in one match, and
    each other rule only on a line holding the text its matches require
    (indexer.enrichment.pattern_facts). The first match is the one the rules in order find.
    """

    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        anchored = [_anchored(p) for p in patterns]
        #: (pattern, anchored at the start, text every match holds) in rule order.
        self.tries = tuple((p, at_start, _required(p)) for p, at_start in zip(patterns, anchored, strict=True))
        sources = [f"(?:{p.pattern})" for p, at_start in zip(patterns, anchored, strict=True) if at_start]
        try:
            self._start = re.compile("|".join(sources), re.IGNORECASE) if sources else None
        except re.error:  # e.g. one group name in two rules: each anchored rule is tried
            self._start = None

    def first(self, text: str) -> re.Match[str] | None:
        """The match of the first rule that matches ``text``, or None."""
        starts = self._start is None or self._start.match(text) is not None
        for pattern, at_start, needs in self.tries:
            if (starts if at_start else needs in text) and (match := pattern.search(text)):
                return match
        return None


def _anchored(pattern: re.Pattern[str]) -> bool:
    """Whether a rule matches only at the start of a line."""
    try:
        return at_start_only(re.compile(pattern.pattern))
    except re.error:
        return False


def _required(pattern: re.Pattern[str]) -> str:
    """Text every match of a rule holds as written ("" when none is known).

    Rules ignore case; a required text of characters without case is matched only by
    itself, so it must be in the line. Otherwise nothing is required.
    """
    try:
        _, needs = required_text(re.compile(pattern.pattern))
    except re.error:
        return ""
    return needs if all(ch.lower() == ch == ch.upper() for ch in needs) else ""


@dataclass
class _RuleLists:
    line: list[re.Pattern[str]] = field(default_factory=list)
    tail: list[re.Pattern[str]] = field(default_factory=list)
    inline: list[re.Pattern[str]] = field(default_factory=list)


def parse_rules(text: str, source: str = "<rules>") -> BoilerplateRules:
    """Parse the rule-file format (``KIND REGEX`` per line, # comments)."""
    lists = _RuleLists()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, pattern = line.replace("\t", " ").partition(" ")
        pattern = pattern.strip()
        if kind not in KINDS or not pattern:
            raise ValueError(f"{source}:{number}: expected 'line|tail|inline REGEX', got {raw!r}")
        try:
            compiled = re.compile(pattern, re.IGNORECASE)  # line rules see the folded, lower-cased view
        except re.error as exc:
            raise ValueError(f"{source}:{number}: bad regular expression: {exc}") from exc
        getattr(lists, kind).append(compiled)
    return BoilerplateRules(tuple(lists.line), tuple(lists.tail), tuple(lists.inline))


@lru_cache(maxsize=8)
def load_rules(path: Path = DEFAULT_RULES) -> BoilerplateRules:
    """Load and compile a rule file (cached)."""
    return parse_rules(path.read_text(encoding="utf-8"), str(path))
