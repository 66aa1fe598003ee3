"""The unit that wrote an article: its name, its level and its kind of organisation.

The writer shows itself by how the text speaks of itself (我镇, 我校, 本单位, a unit
name as the subject of the opening), by the title and by the sign-off. Units named
as superiors (在县总工会的领导下, 上级工会) or as the ones founded, visited or helped
are masked first (indexer.enrichment.evidence), so they never pass as the writer.
All cue families live in indexer/data/facets.toml.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.enrichment import places
from indexer.enrichment.evidence import ArticleText
from indexer.enrichment.rules import facet_rules

_HAN = re.compile(r"[\u4e00-\u9fff]")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]")
#: How far before an organisation word a unit's name may start.
NAME_WINDOW = 14
#: Parts of speech that never start a proper name (verbs, adverbs, prepositions …).
_FUNCTION_TAGS = ("v", "d", "p", "c", "u", "a", "r", "m", "q", "f", "t", "ad", "vn", "vd", "y", "e", "o")
#: Scores of a candidate name by where it stands.
_IN_TITLE, _IN_OPENING, _IN_SIGNOFF = 3.0, 3.0, 4.0
_MIN_NAME_SCORE = 2.0
#: Unit types any level may have (a 中心 is an organ's, a company's or a school's): no vote.
_AMBIGUOUS_TYPES = frozenset({"中心", "站", "所", "部", "处", "科", "队"})
_GENERIC_TITLE_UNIT = re.compile(r"(?<=^)(?:\d{4}年)?(街道|镇|乡|县|区|市)(总工会|工会|妇联|团委)")
_LEADING_YEAR = re.compile(r"^[\d\s年度月日,]+")


def _dictionary() -> Path:
    """jieba's dictionary file (one "word frequency tag" line per word), found without importing jieba.

    Importing jieba costs 0.2 s (it loads pkg_resources) and nothing else of it is used here.
    """
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("jieba is not installed")
    return Path(spec.submodule_search_locations[0]) / "dict.txt"


class WordTags:
    """jieba's dictionary as word → part of speech: it tells a place (顺昌 ns) from a verb (按照 p).

    The table is kept as UTF-8 bytes, as the file is: building it then needs no
    decoding and hashes shorter keys, which halves the start-up cost every
    process pays; the few words looked up are encoded instead.
    """

    def __init__(self, table: dict[bytes, bytes]) -> None:
        self._table = table

    def get(self, word: str) -> str | None:
        """The part of speech of ``word``, or None when jieba does not know it."""
        tag = self._table.get(word.encode())
        return None if tag is None else tag.decode()

    def __contains__(self, word: str) -> bool:
        return word.encode() in self._table

    def __len__(self) -> int:
        return len(self._table)


@lru_cache(maxsize=1)
def word_tags() -> WordTags:
    """jieba's part-of-speech table, read once per process (about 0.15 s).

    Read straight from the dictionary file rather than through jieba.posseg,
    which would build a second segmenter (several seconds).
    """
    return WordTags(read_tag_table(_dictionary().read_bytes()))


def read_tag_table(data: bytes) -> dict[bytes, bytes]:
    """word → tag of jieba's dictionary, whose lines are "word frequency tag"; later lines win, as in jieba.

    jieba's file has three fields on every line, so the whole file is split in one
    call and every third field paired up (tests/indexer/enrichment/test_fast_scans.py
    checks this reads the installed file exactly as reading it line by line does).
    A file whose field count says otherwise is read line by line.
    """
    fields = data.split()
    if len(fields) == 3 * _line_count(data):
        return dict(zip(fields[0::3], fields[2::3], strict=True))
    table: dict[bytes, bytes] = {}
    for line in data.splitlines():
        parts = line.split()
        if len(parts) == 3:
            table[parts[0]] = parts[2]
    return table


def _line_count(data: bytes) -> int:
    """``len(data.splitlines())``, without making the lines when the file has only \\n line ends."""
    if b"\r" in data:
        return len(data.splitlines())
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


@dataclass(frozen=True)
class UnitName:
    """A unit's name as written (横河镇工会), its distinctive core (横河) and its organisation word."""

    name: str
    core: str
    org_word: str


@lru_cache(maxsize=8192)
def core_of(name: str) -> str:
    """The distinctive part of a unit's name: its unit-type words stripped from the end (玉屏供电局 → 玉屏)."""
    rules = facet_rules()["writer"]
    unit_types = rules["unit_types"]
    core = name
    for word in rules["org_words"]:
        if core.endswith(word):
            core = core[: -len(word)]
            break
    changed = True
    while core and changed:
        changed = False
        for unit in unit_types:
            rest = len(core) - len(unit)
            # Strip a type unless it would leave one character: 金乡 is a name, not 金 + 乡.
            if core.endswith(unit) and (rest >= 2 or rest == 0 or len(unit) >= 2):
                core = core[: -len(unit)]
                changed = True
                break
    return core


def _trim_front(window: str) -> str:
    """Cut the words in front of a name: everything up to the last stop word, then leading function words."""
    rules = facet_rules()["writer"]
    cut = 0
    for match in rules["stop_words"].finditer(window):
        cut = match.end()
    window = window[cut:]
    for i in range(len(window) - 1, -1, -1):
        if window[i] in rules["name_stops"]:
            window = window[i + 1 :]
            break
    tags = word_tags()
    while window:
        for size in (4, 3, 2):
            word = window[:size]
            tag = tags.get(word) if len(word) == size else None
            if tag and tag.startswith(_FUNCTION_TAGS) and not places.is_place_name(word):
                window = window[size:]
                break
        else:
            break
    return window


@lru_cache(maxsize=8192)
def distinctive(name: str) -> str | None:
    """The core of a unit's name (type words stripped) when it names one unit, else None.

    A name is a distinctive core followed by at least one unit type (横河|镇, 凤台|四中,
    玉屏|供电局): a bare 学校工会 has no core, and 履行工会 or 活力工会 have no unit type.
    Where the type is a place kind and the gazetteer is installed, the place must be known.
    """
    rules = facet_rules()["writer"]
    core = core_of(name)
    bare = core_of_org(name)
    if len(core) < 2 or core == bare or rules["stop_words"].search(core):
        return None
    if any(ch in rules["name_stops"] for ch in core) or rules["org_word"].search(core):
        return None
    kind = bare[len(core) :]
    if name.endswith(rules["part_words"]) or bare.startswith(rules["superior_kinds"]):
        return None  # a sub-union the writer reports on, or a national superior
    if kind.startswith(rules["superior_kinds"]):
        return None  # a provincial federation: always a superior
    tag = word_tags().get(core)
    if tag and tag.startswith(_FUNCTION_TAGS):
        return None
    return core


def is_unknown_place(name: str) -> bool:
    """Whether a unit's name is a place (镇/乡/街道/县/区/市 + organisation) the gazetteer does not know.

    Old names (merged townships) are real but unknown, so such a name is not rejected:
    it must recur in the text instead. Without the gazetteer nothing is "unknown".
    """
    if not places.available():
        return False
    bare = core_of_org(name)
    core = core_of(name)
    kind = bare[len(core) :]
    if not (kind.startswith("街道") or kind[:1] in places.PLACE_KINDS):
        return False
    return not any(places.is_place_name(core + kind[:size]) for size in (1, 2))


def core_of_org(name: str) -> str:
    """``name`` without its organisation word (横河镇工会 → 横河镇)."""
    for word in facet_rules()["writer"]["org_words"]:
        if name.endswith(word):
            return name[: -len(word)]
    return name


def _strip_noise(window: str) -> str:
    """Drop leading characters that never start a name (年|县支行, 个|学校) unless a known place starts there."""
    noise = facet_rules()["township"]["leading_noise"]
    while len(window) > 1 and window[0] in noise:
        window = window[1:]
    return window


def names_in(text: str) -> list[tuple[UnitName, int]]:
    """Each distinctive unit name ending in an organisation word (工会, 妇联, 团委 …) with its position."""
    rules = facet_rules()["writer"]
    found: list[tuple[UnitName, int]] = []
    for match in rules["org_word"].finditer(text):
        if text.startswith("员", match.end()) and match.group(0).endswith("委"):
            continue  # 女职工|委员会: the word runs on
        start = match.start()
        window = text[max(0, start - NAME_WINDOW) : start]
        window = _NOT_HAN.split(window)[-1]  # the name starts after the last non-Han character
        named = name_before(window)
        if named is None:
            continue
        name, core = named
        found.append((UnitName(name + match.group(0), core, match.group(0)), start - len(name)))
    return found


@lru_cache(maxsize=8192)
def name_before(window: str) -> tuple[str, str] | None:
    """(name, distinctive core) of the unit whose name ends a window of Han characters, or None.

    Cached: the same few windows (全镇各级, 我镇总) come back in every article, and
    reading one costs dictionary and gazetteer look-ups.
    """
    window = _trim_front(window)
    if not window:
        return None
    name = places.trim_to_place(window) if places.available() else window
    if name == window:
        name = _strip_noise(name)
    core = distinctive(name)
    return None if core is None else (name, core)


def _title_name(title: str) -> UnitName | None:
    """A title that starts with a unit's name: 凤台四中职工书屋建设总结, 某某公司2014年…总结."""
    for unit, _ in names_in(title):
        return unit
    for line in title.split("\n"):
        unit = leading_unit(line)
        if unit is not None:
            return unit
    return None


def leading_unit(line: str) -> UnitName | None:
    """The unit a line starts with (玉屏供电局召开…, 凤台四中职工书屋…), after a leading date."""
    head = _LEADING_YEAR.sub("", line)
    unit_types = facet_rules()["writer"]["unit_types"]
    # The shortest prefix that ends in a unit type and has a distinctive core names the unit.
    for end in range(3, min(len(head), 12) + 1):
        prefix = head[:end]
        if _NOT_HAN.search(prefix):
            break
        if prefix.endswith(unit_types):
            core = distinctive(prefix)
            if core is not None:
                return UnitName(prefix, core, "")
    return None


#: Rank of a level among the territorial ones, and of the place kind a unit's name ends in.
_LEVEL_RANK = {"乡镇街道": 0, "县区": 1, "市": 2}
_KIND_RANK = {"镇": 0, "乡": 0, "街": 0, "社": 0, "县": 1, "区": 1, "市": 2}


def _above(unit: UnitName, level: str | None) -> bool:
    """Whether a unit's place kind is above the writer's level (a 市总工会 in a 镇 summary): a superior."""
    if level is None:
        return False
    kind = core_of_org(unit.name)[len(unit.core) :][:1]
    rank = _KIND_RANK.get(kind)
    if rank is None:
        return False
    if level in _LEVEL_RANK:
        return rank > _LEVEL_RANK[level]
    return level in ("学校教育", "企业厂矿") and rank >= 1


def _named_units(text: ArticleText) -> tuple[Counter[str], dict[str, UnitName], Counter[str]]:
    """Every unit named in the masked body and the sign-off: scores (mentions, opening, sign-off), units, mentions."""
    scores: Counter[str] = Counter()
    units: dict[str, UnitName] = {}
    mentions: Counter[str] = Counter()
    for unit, position in names_in(text.masked):
        units.setdefault(unit.name, unit)
        mentions[unit.name] += 1
        scores[unit.name] += 1.0
        if position < len(text.opening):
            scores[unit.name] += _IN_OPENING if position < 40 else 1.0
    for unit, _ in names_in(text.signoff):
        units.setdefault(unit.name, unit)
        scores[unit.name] += _IN_SIGNOFF
    return scores, units, mentions


def _credit_title(
    titled: UnitName, scores: Counter[str], units: dict[str, UnitName], mentions: Counter[str]
) -> UnitName:
    """Give the title's unit its weight, with the body's other forms of its name; returns the form to show."""
    units.setdefault(titled.name, titled)
    scores[titled.name] += _IN_TITLE
    # The body often shortens the title's name (纺电公司 → 公司工会): same core, one writer.
    same = [u for name, u in units.items() if name != titled.name and u.core == titled.core]
    for unit in same:
        scores[titled.name] += scores.pop(unit.name, 0.0)
    # …or writes it out in full (横河镇 → 横河镇工会): show the fuller form.
    fuller = [u for u in same if u.org_word and u.name.startswith(titled.name)]
    if fuller and not titled.org_word:
        scores[fuller[0].name] = scores.pop(titled.name)
        mentions[fuller[0].name] = max(mentions[fuller[0].name], 2)
        return fuller[0]
    return titled


def writer_name(text: ArticleText, level: str | None = None) -> tuple[UnitName, str] | None:
    """The writer's distinctive name and where it was found ("title" or "text"), or None.

    Candidates are unit names in the title, the masked body and the sign-off;
    a name scores by its mentions and by standing in the title, the opening or the
    sign-off. A name mentioned once in passing is not enough.
    """
    titled = _title_name(text.heads)
    in_title = titled is not None
    scores, units, mentions = _named_units(text)
    # A title naming only a unit type (县总工会工作总结) points at the body's unit of that type
    # (顺昌县总工会), wherever it stands.
    generic = _GENERIC_TITLE_UNIT.match(text.title)
    if generic is not None and titled is None:
        for name in scores:
            unit_type = generic.group(1) + generic.group(2)
            if name.endswith(unit_type) and len(name) > len(unit_type):
                scores[name] += _IN_TITLE
    leading = leading_unit(text.paragraphs[0]) if text.paragraphs else None
    if leading is not None and titled is None:
        titled = leading  # the subject of the first sentence is the writer (a news item's unit)
    if titled is not None:
        titled = _credit_title(titled, scores, units, mentions)
    for name in list(scores):
        if _above(units[name], level):
            del scores[name]
        elif mentions[name] < 2 and is_unknown_place(name):
            del scores[name]  # a place the gazetteer does not know must recur to count
    if not scores:
        return None
    name, score = max(scores.items(), key=lambda item: (item[1], len(item[0])))
    if score < _MIN_NAME_SCORE:
        return None
    origin = "title" if in_title and titled is not None and name == titled.name else "text"
    return units[name], origin


@dataclass(frozen=True)
class LevelEvidence:
    """Each level's score from the text and from the title, read once per article.

    The writer's name is found with the level read without it, and the level is
    then read again with it: only the writer's own vote differs, so the text is
    scanned once and :meth:`best` adds that vote.
    """

    body: dict[str, float]
    title: dict[str, float]

    def best(self, writer: UnitName | None = None) -> tuple[str, str] | None:
        """(level, origin): the level whose cue families score highest, or None below the minimum."""
        weights = facet_rules()["org_level_weights"]
        # The writer's own unit type (医院 in 学院附属…医院工会) speaks for it, not words inside its name.
        unit_type = core_of_org(writer.name)[len(writer.core) :] if writer is not None else ""
        scores: dict[str, float] = {}
        for level in facet_rules()["org_level"]:
            body = self.body[level.value]
            if (
                writer is not None
                and unit_type not in _AMBIGUOUS_TYPES
                and level.families["title"].hits(unit_type or writer.name)
            ):
                body += weights["self"] * 2
            scores[level.value] = body + self.title[level.value]
        value, score = max(scores.items(), key=lambda item: item[1])
        if score < float(weights["minimum"]):
            return None
        return value, ("title" if self.title[value] * 2 > score else "text")


def level_evidence(text: ArticleText) -> LevelEvidence:
    """Score every level's cue families on the article (see :func:`org_level`)."""
    weights = facet_rules()["org_level_weights"]
    cap = int(weights["cap"])
    body_scores: dict[str, float] = {}
    title_scores: dict[str, float] = {}
    for level in facet_rules()["org_level"]:
        fam = level.families
        body_scores[level.value] = (
            weights["self"] * fam["self"].score(text.masked, cap, text.masked_counts)
            + weights["party"] * fam["party"].score(text.body, cap, text.body_counts)
            + weights["scope"] * fam["scope"].score(text.masked, cap, text.masked_counts)
            + weights["milieu"] * min(fam["milieu"].score(text.body, 0, text.body_counts), 3 * cap)
        )
        title_scores[level.value] = weights["title"] * fam["title"].score(text.heads, cap=1)
    return LevelEvidence(body_scores, title_scores)


def org_level(text: ArticleText, writer: UnitName | None = None) -> tuple[str, str] | None:
    """(level, origin): the level whose cue families score highest, or None below the minimum.

    Self-reference (我镇, 镇工会) is read on the masked body so a superior never votes;
    the writer's own party and government bodies count even inside 在…领导下, and the
    writer's own unit type votes for its level.
    """
    return level_evidence(text).best(writer)


def org_type(text: ArticleText, writer: UnitName | None = None) -> str:
    """工会, 妇联, 共青团 or 其他: the organisation the writer is, judged by its name and the text.

    The writer's own organisation word decides (a 团区委工会 is a union); otherwise the
    organisation the text names most, and 其他 when none is named enough.
    """
    rules = facet_rules()["org_type"]
    weights = rules["weights"]
    scores: dict[str, float] = {}
    for value, fam in rules["cues"].items():
        score = min(fam.score(text.body, 0, text.body_counts), float(weights["cap"])) * float(weights["body"])
        if fam.hits(text.heads):
            score += float(weights["title"])
        if writer is not None and writer.org_word and fam.hits(writer.org_word):
            score += float(weights["writer"])
        scores[value] = score
    value, score = max(scores.items(), key=lambda item: item[1])
    if score < rules["minimum"]:
        return str(rules["other"])
    return value
