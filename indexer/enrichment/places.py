"""Township and county names, validated against the gazetteer when it is installed.

indexer.enrichment.gazetteer (``is_township``, ``is_county``, ``find_places``) is
optional: without it a name is read from the characters before 镇/乡/街道 and must
act as a unit (横河镇工会, 某镇党委) or recur in the text. With it, only names the
gazetteer knows count, wherever they stand (顺昌县总工会 in mid-sentence too).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from types import ModuleType

from indexer.enrichment.rules import facet_rules

_HAN = "\u4e00-\u9fff"
#: Place kinds a unit's name may end in (横河镇, 顺昌县); 街道 is matched as a word.
PLACE_KINDS = ("镇", "乡", "县", "区", "市")
# One to four characters of a name, then the place kind. Each match is trimmed afterwards.
_NAME_MAX = 6
_CANDIDATE = re.compile(rf"([{_HAN}]{{1,{_NAME_MAX}}}?)(街道办事处|街道|镇|乡)")
# Where a place kind of _CANDIDATE can start.
_KIND_START = re.compile("街道|镇|乡")
_ADMIN = re.compile(r"^.*?(?:省|市|县|区|旗)(?=[\u4e00-\u9fff]{2})")


@lru_cache(maxsize=1)
def _gazetteer() -> ModuleType | None:
    """The gazetteer module, or None while it is not installed."""
    try:
        from indexer.enrichment import gazetteer
    except ImportError:
        return None
    needed = ("is_township", "is_county", "find_places")
    return gazetteer if all(hasattr(gazetteer, name) for name in needed) else None


def available() -> bool:
    """Whether place names can be validated against the gazetteer."""
    return _gazetteer() is not None


def is_place_name(word: str) -> bool:
    """Whether ``word`` (with or without its kind) is a township or county the gazetteer knows."""
    gazetteer = _gazetteer()
    if gazetteer is None or not word:
        return False
    return bool(gazetteer.is_township(word) or gazetteer.is_county(word))


def trim_to_place(window: str) -> str:
    """The part of a unit's name window that starts at the last place named in it (丰台区卢沟桥乡 → 卢沟桥乡)."""
    gazetteer = _gazetteer()
    if gazetteer is None:
        return window
    found = [p for p in gazetteer.find_places(window) if p.end == len(window) or p.end < len(window)]
    if not found:
        return window
    # A chain of places (丰台区卢沟桥乡) names the innermost one; keep from the last that is
    # followed only by the rest of the unit's name.
    last = max(found, key=lambda p: p.start)
    return window[last.start :]


def _township_candidates(text: str) -> list[tuple[str, int, int, bool]]:
    """(name with its kind, start, end, known) of every 镇/乡/街道 name the text writes.

    ``known``: the gazetteer validates it. Names it does not know (merged or renamed
    townships, or no gazetteer installed) are read from the characters before the kind.
    """
    gazetteer = _gazetteer()
    known: list[tuple[str, int, int, bool]] = []
    if gazetteer is not None:
        known = [(p.name, p.start, p.end, True) for p in gazetteer.find_places(text) if p.kind == "township"]
    ends = {end for _, _, end, _ in known}
    return known + [c for c in _read_candidates(text) if c[2] not in ends]


def _read_candidates(text: str) -> list[tuple[str, int, int, bool]]:
    """Township names read from the characters before 镇/乡/街道, filtered by jieba's parts of speech."""
    rules = facet_rules()["township"]
    noise = set(rules["leading_noise"])
    from indexer.enrichment.writer import word_tags

    tags = word_tags()
    out: list[tuple[str, int, int, bool]] = []
    for match in _candidate_matches(text):
        name = _ADMIN.sub("", match.group(1))
        while name and name[0] in noise:
            name = name[1:]
        kind = match.group(2).replace("办事处", "")
        if len(name) > 4:
            name = name[-2:]
        if not name or len(name) < 2:
            continue
        tag = tags.get(name)
        if tag is not None and not tag.startswith(("ns", "nr", "nz", "j")):
            continue
        if (name[-1] + kind[0]) in tags and len(name) == 2:  # 化社|区: the kind ends a word (城镇)
            continue
        start = match.end(2) - len(kind) - len(name)
        out.append((name + kind, start, start + len(name) + len(kind), False))
    return out


def _candidate_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_CANDIDATE.finditer(text)``, found from the place kinds backwards.

    A match holds one to ``_NAME_MAX`` characters before its kind, so none starts more
    than that before the next kind: the scan starts there rather than trying every
    character of the text in between (tests/indexer/enrichment/test_fast_scans.py).
    """
    pos = 0
    while (kind := _KIND_START.search(text, pos + 1)) is not None:
        match = _CANDIDATE.search(text, max(pos, kind.start() - _NAME_MAX))
        if match is None:
            return
        yield match
        pos = match.end()


def township(text: str, level: str | None = None) -> str | None:
    """The township the text names as its own, never 我镇 or xx镇.

    A township counts when it acts as a unit right after its name (横河镇工会,
    某镇党委) or recurs; the one acting most wins. Outside township-level writers only
    an acting township counts: a county report that lists its towns names none.
    """
    rules = facet_rules()["township"]
    not_names = rules["not_names"]
    acting = tuple(sorted(rules["acting"], key=len, reverse=True))
    mentions: Counter[str] = Counter()
    acts: Counter[str] = Counter()
    unknown: set[str] = set()
    for name, _start, end, known in _township_candidates(text):
        if any(bad in name for bad in not_names):
            continue
        mentions[name] += 1
        if not known:
            unknown.add(name)
        if text.startswith(acting, end):
            acts[name] += 1
    if level in ("县区", "市"):
        return None
    repeated = int(rules["min_mentions"])
    # In order of first mention, so that a tie goes to the township named first (never to set order).
    keep = [
        name
        for name in mentions
        if (acts[name] or (mentions[name] >= repeated and level in (None, "乡镇街道", "未知")))
        # A name the gazetteer does not know must both act and recur (old, merged townships).
        and (name not in unknown or not available() or (acts[name] and mentions[name] >= repeated))
    ]
    if not keep:
        return None
    return max(keep, key=lambda name: (acts[name] * 2 + mentions[name], len(name)))
