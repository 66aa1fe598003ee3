"""Site boilerplate rules, read from a data file users can extend."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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
        for text, level in lines:
            folded = fold(text.strip())
            if any(p.search(folded) for p in self.tail):
                break
            match = next((m for p in self.line if (m := p.search(folded))), None)
            if match:
                for name, value in match.groupdict().items():
                    if value:
                        captured.setdefault(name, value)
                kept.append((text, level, True))
                continue
            for pattern in self.inline:
                text = pattern.sub("", text)
            kept.append((text, level, False))
        return kept, captured


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
