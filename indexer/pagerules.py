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


@lru_cache(maxsize=4)
def zone_rules(path: Path = DEFAULT_ZONE_RULES) -> dict:
    """The parsed rule file: compiled ``families`` (and ``any_family``, their union), ``line_rules``,
    ``inline`` patterns (and the ``inline_trigger`` every one of them needs), ``titles`` and ``zones``."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        families = {name: re.compile("|".join(f"(?:{p})" for p in pats)) for name, pats in raw["families"].items()}
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
        trigger = re.compile(raw["inline"]["trigger"])
        any_family = re.compile("|".join(f"(?:{p.pattern})" for p in families.values()))
    except re.error as exc:
        raise ValueError(f"{path}: bad regular expression: {exc}") from exc
    unknown = {f for r in rules for f in (*r.families, *r.required)} - families.keys()
    if unknown:
        raise ValueError(f"{path}: line rules name unknown families: {sorted(unknown)}")
    return {
        "families": families,
        "any_family": any_family,
        "line_rules": rules,
        "inline": inline,
        "inline_trigger": trigger,
        "titles": raw["titles"],
        "zones": raw["zones"],
    }
