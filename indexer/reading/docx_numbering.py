"""Render Word's automatic list numbers ("一、", "（二）", "1.") as text.

Chinese summaries very often number their sections with Word's numbering instead of
typing "一、": the number then lives in numbering.xml, not in the paragraph text, and
would be lost. This module replays the counters in document order, which covers the
common cases (per-level counters, restart of deeper levels, start overrides, list
styles); exotic features (legal numbering across lists, lvlRestart) are approximated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from indexer.reading.docx_package import cached_by_content, parse_part

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = f"{W}val"

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_TRAD = "零壹貳參肆伍陸柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PARENTHESIZED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_FULL_STOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)
_SUFFIX = {"tab": "\t", "space": " ", "nothing": ""}


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str | None = None
    suffix: str = "\t"
    legal: bool = False
    style_id: str | None = None


@dataclass
class _Num:
    abstract_id: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, _Level] = field(default_factory=dict)


@dataclass(frozen=True)
class Definitions:
    """The lists one numbering.xml defines."""

    abstracts: dict[str, dict[int, _Level]] = field(default_factory=dict)
    style_links: dict[str, str] = field(default_factory=dict)  # abstract id -> list style it defers to
    nums: dict[str, _Num] = field(default_factory=dict)


class Numbering:
    """Counters of one document; call :meth:`label` for each numbered paragraph in order."""

    def __init__(self, definitions: Definitions | None, style_num_ids: Mapping[str, str]) -> None:
        definitions = definitions or Definitions()
        # Shared with other documents that carry the same numbering.xml: read, never changed.
        self._abstracts = definitions.abstracts
        self._style_links = definitions.style_links
        self._nums = definitions.nums
        self._style_num_ids = style_num_ids
        self._counters: dict[str, list[int | None]] = {}
        self._seen_nums: set[str] = set()

    def level_for_style(self, num_id: str, style_id: str) -> int | None:
        """The list level whose ``w:pStyle`` is ``style_id`` (heading styles linked to a list)."""
        for ilvl, level in self._levels(num_id).items():
            if level.style_id == style_id:
                return ilvl
        return None

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the counter for this paragraph and return its rendered number + suffix."""
        num = self._nums.get(num_id)
        levels = self._levels(num_id)
        if num is None or ilvl not in levels:
            return ""
        abstract_id = self._resolve_abstract(num.abstract_id)
        counters = self._counters.setdefault(abstract_id, [None] * 9)
        if num_id not in self._seen_nums:
            # A w:num with start overrides starts its list again (Word's "restart at").
            self._seen_nums.add(num_id)
            for lvl, start in num.start_overrides.items():
                if 0 <= lvl < 9:
                    counters[lvl] = start - 1
        current = counters[ilvl]
        counters[ilvl] = levels[ilvl].start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        level = levels[ilvl]
        if level.fmt == "none" or level.text is None:
            return ""
        rendered = level.text
        for ref in range(ilvl + 1, 0, -1):  # from %9 down so "%1" never eats "%10"
            placeholder = f"%{ref}"
            if placeholder not in rendered:
                continue
            ref_level = levels.get(ref - 1, _Level())
            value = counters[ref - 1]
            value = ref_level.start if value is None else value
            fmt = "decimal" if level.legal else ref_level.fmt
            rendered = rendered.replace(placeholder, format_number(value, fmt))
        if level.fmt == "bullet":
            # Symbol/Wingdings bullets are private-use code points; show a plain bullet.
            rendered = "".join("•" if "\ue000" <= ch <= "\uf8ff" else ch for ch in rendered)
        return rendered + level.suffix

    def _levels(self, num_id: str) -> dict[int, _Level]:
        num = self._nums.get(num_id)
        if num is None:
            return {}
        levels = dict(self._abstracts.get(self._resolve_abstract(num.abstract_id), {}))
        levels.update(num.level_overrides)
        return levels

    def _resolve_abstract(self, abstract_id: str) -> str:
        """Follow ``w:numStyleLink`` (a list defined by a list style) one hop."""
        style_id = self._style_links.get(abstract_id)
        if style_id is None:
            return abstract_id
        linked_num = self._nums.get(self._style_num_ids.get(style_id, ""))
        return linked_num.abstract_id if linked_num is not None else abstract_id


@cached_by_content
def definitions_from_xml(blob: bytes) -> Definitions:
    """The list definitions of a numbering.xml part (shared: never changed)."""
    return parse_definitions(parse_part(blob))


def parse_definitions(root: Any) -> Definitions:
    """The list definitions of a parsed numbering.xml."""
    definitions = Definitions()
    for abstract in root.iterchildren(f"{W}abstractNum"):
        abstract_id = abstract.get(f"{W}abstractNumId")
        if abstract_id is None:
            continue
        link = abstract.find(f"{W}numStyleLink")
        if link is not None and link.get(_VAL):
            definitions.style_links[abstract_id] = link.get(_VAL)
        definitions.abstracts[abstract_id] = {
            level_id: level for level_id, level in map(_parse_level, abstract.iterchildren(f"{W}lvl"))
        }
    for num in root.iterchildren(f"{W}num"):
        num_id = num.get(f"{W}numId")
        ref = num.find(f"{W}abstractNumId")
        if num_id is None or ref is None or ref.get(_VAL) is None:
            continue
        entry = _Num(ref.get(_VAL))
        for override in num.iterchildren(f"{W}lvlOverride"):
            ilvl = _int(override.get(f"{W}ilvl"), 0)
            start = override.find(f"{W}startOverride")
            if start is not None:
                entry.start_overrides[ilvl] = _int(start.get(_VAL), 1)
            lvl = override.find(f"{W}lvl")
            if lvl is not None:
                entry.level_overrides[ilvl] = _parse_level(lvl)[1]
        definitions.nums[num_id] = entry
    return definitions


def _parse_level(lvl: Any) -> tuple[int, _Level]:
    def val(tag: str) -> str | None:
        element = lvl.find(f"{W}{tag}")
        return None if element is None else element.get(_VAL)

    legal = lvl.find(f"{W}isLgl")
    level = _Level(
        start=_int(val("start"), 1),
        fmt=val("numFmt") or "decimal",
        text=val("lvlText"),
        suffix=_SUFFIX.get(val("suff") or "tab", "\t"),
        legal=legal is not None and legal.get(_VAL, "1") not in ("0", "false", "off"),
        style_id=val("pStyle"),
    )
    return _int(lvl.get(f"{W}ilvl"), 0), level


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def format_number(n: int, fmt: str) -> str:
    """Render ``n`` in a Word ``w:numFmt``; unknown formats fall back to decimal."""
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "japaneseCounting",
    ):
        return _chinese_counting(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "chineseLegalSimplified":
        return _chinese_counting(n, _CN_LEGAL, "拾佰仟")
    if fmt == "ideographLegalTraditional":
        return _chinese_counting(n, _CN_LEGAL_TRAD, "拾佰仟")
    if fmt == "ideographTraditional":
        return _HEAVENLY_STEMS[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _EARTHLY_BRANCHES[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt == "decimalEnclosedParen":
        return _PARENTHESIZED[n - 1] if 1 <= n <= len(_PARENTHESIZED) else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return _FULL_STOP[n - 1] if 1 <= n <= len(_FULL_STOP) else f"{n}."
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        # Word repeats the letter after Z: AA, BB, …
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""
        return letter if fmt == "upperLetter" else letter.lower()
    return str(n)


def _chinese_counting(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    """一, 十, 十一, 二十, 一百零五 … (numbers below 10 000, as list numbers are)."""
    if n <= 0 or n >= 10_000:
        return str(n)
    parts: list[str] = []
    zero_pending = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")  # inner zero is read 零 (一百零五), digit style would be 〇
            zero_pending = False
        if not (power == 1 and digit == 1 and not parts and digits is _CN_DIGITS):
            parts.append(digits[digit])  # "十一", not "一十一"
        if power:
            parts.append(units[power - 1])
    return "".join(parts)


def _roman(n: int) -> str:
    if n <= 0:
        return str(n)
    out = []
    for value, numeral in _ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)
