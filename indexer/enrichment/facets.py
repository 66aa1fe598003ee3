"""Infer an article's facets from its title and text (the document's own word).

Every function returns ``None`` when the document does not say; callers
record the origin of what they keep ("title" or "text").
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import jieba

from indexer.enrichment.rules import facet_rules

_HAN = "\u4e00-\u9fff"
_PLACE_KIND = "镇|乡|街道"
_PLACE_KIND_FIRST = "".join(kind[0] for kind in _PLACE_KIND.split("|"))
# The two characters before 镇/乡/街道/县… name the place: 鹿苑镇工会, 顺昌县总工会.
# Each pattern first asserts the place kind's first character, so the scan rejects every
# other position with one test before trying the look-behind.
_TOWNSHIP = re.compile(
    rf"(?=[{_PLACE_KIND_FIRST}])(?<=[{_HAN}]{{2}})({_PLACE_KIND})(?=总?工会|党委|党工委|政府|人民政府|人大|教育工会|工会联合会|办事处)"
)
_NAMED_UNION = re.compile(
    rf"(?=[县市区{_PLACE_KIND_FIRST}])(?<=[{_HAN}]{{2}})(县|市|区|{_PLACE_KIND})(总工会|工会联合会|工会)"
)
_LEADING_UNION = re.compile(
    rf"^([{_HAN}]{{2,10}}?(?:工会|工委))(?=在|根据|以|按照|紧紧|围绕|坚持|认真|今年|上半年|半年来)"
)
_TITLE_UNION = re.compile(rf"^([{_HAN}]{{2,12}}?(?:工会|工委))(?=上半年|下半年|半年|年度|全年|\d|工作)")
_NOT_A_NAME = re.compile(r"[我本全该各某今以年半最新]|以来|[xX×]")
_GENERIC_UNIONS = frozenset(
    [
        "工会",
        "学校工会",
        "镇工会",
        "乡工会",
        "县总工会",
        "市总工会",
        "区总工会",
        "局工会",
        "院工会",
        "机关工会",
        "基层工会",
        "乡镇工会",
        "社区工会",
        "企业工会",
        "教育工会",
        "街道工会",
        "街道总工会",
        "镇总工会",
        "乡总工会",
        "我会",
        "总工会",
        "上级工会",
        "矿工会",
    ]
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_BLANK_YEAR = re.compile(r"(?:19|20)(?:[xX×]{2}|\d_|__)\s*年|[xX×]{2}\s*年|某年")


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """jieba's dictionary as word → part of speech: it tells a place (顺昌 ns) from a verb (按照 p).

    Read straight from the dictionary file (0.3 s) rather than through
    jieba.posseg, which would build a second segmenter (several seconds).
    """
    tags: dict[str, str] = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


def _place_name(text: str, kind_start: int) -> str | None:
    """The two characters before a place kind, unless they are not a name (我镇, 按照县, 社区)."""
    rules = facet_rules()["township"]
    name = text[kind_start - 2 : kind_start]
    if any(ch in rules["leading_noise"] for ch in name):
        return None
    tags = _word_tags()
    tag = tags.get(name)
    if tag is not None and not tag.startswith(("ns", "nr", "nz", "j")):
        return None
    if (name[-1] + text[kind_start]) in tags:  # 化社|区: the kind is part of a word (社区)
        return None
    return name


def org_level(title: str, text: str) -> tuple[str, str] | None:
    """(level, origin) from the first rule matching the title, else the text."""
    for rule in facet_rules()["org_level"]:
        if rule.title and rule.title.search(title):
            return rule.value, "title"
    scores: Counter[str] = Counter()
    for rank, rule in enumerate(facet_rules()["org_level"]):
        if rule.text:
            hits = len(rule.text.findall(text))
            if hits:
                # Earlier rules are more specific (我校 beats 全镇); weigh them up.
                scores[rule.value] = hits * (10 - rank)
    if scores:
        return scores.most_common(1)[0][0], "text"
    return None


def township(text: str) -> str | None:
    """The township the text names as its own (most mentions), never 我镇 or xx镇."""
    not_names = facet_rules()["township"]["not_names"]
    names: Counter[str] = Counter()
    for match in _TOWNSHIP.finditer(text):
        name = _place_name(text, match.start())
        if name is None or any(bad in name + match.group(1) for bad in not_names):
            continue
        names[name + match.group(1)] += 1
    return names.most_common(1)[0][0] if names else None


def org_name(title: str, openings: list[str], text: str) -> tuple[str, str] | None:
    """The union that wrote the summary: named in the title, at the start, or by a place name.

    ``openings`` are the article's first paragraphs (a salutation may come first).
    """
    candidates = [(_TITLE_UNION, title, "title")] + [(_LEADING_UNION, o, "text") for o in openings]
    opening = openings[0] if openings else ""
    for pattern, source, origin in candidates:
        match = pattern.match(source)
        if match and match.group(1) not in _GENERIC_UNIONS and not _NOT_A_NAME.search(match.group(1)):
            return match.group(1), origin
    # The first union named in the opening is the writer ("寮步镇总工会在东莞市总工会…领导下");
    # failing that, the one the text names most often.
    for source, first_only in ((opening, True), (text, False)):
        names: Counter[str] = Counter()
        for match in _NAMED_UNION.finditer(source):
            place = _place_name(source, match.start())
            if place is not None:
                names[place + match.group(0)] += 1
                if first_only:
                    return place + match.group(0), "text"
        if names:
            return names.most_common(1)[0][0], "text"
    return None


def period(title: str, text: str) -> tuple[str, str] | None:
    """上半年, 下半年 or 全年 from the title, else from the weight of the text's evidence."""
    rules = facet_rules()["period"]
    if rules["title_second_half"].search(title):
        return "下半年", "title"
    if rules["title_first_half"].search(title):
        return "上半年", "title"
    if rules["title_full_year"].search(title):
        return "全年", "title"
    first_half = len(rules["text_first_half"].findall(text))
    full_year = len(rules["text_full_year"].findall(text))
    if first_half > full_year:
        return "上半年", "text"
    if full_year > first_half:
        return "全年", "text"
    return None


def year(title: str, opening: str) -> tuple[int, str] | None:
    """The year the summary covers, from the title or its opening; none when blanked (20xx年)."""
    for source, origin in ((title, "title"), (opening[:80], "text")):
        blank = _BLANK_YEAR.search(source)
        match = _YEAR.search(source)
        if match and not (blank and blank.start() < match.start()):
            return int(match.group(1)), origin
        if blank:
            return None
    return None
