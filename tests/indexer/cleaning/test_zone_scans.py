"""The fast forms of the page-zone scans agree with their plain definitions.

The zones ask of every line which cue families of indexer/data/page_zones.toml it
hits; the fast forms skip work (a first-character assertion, start-anchored cues
tried at the start only). Each test states the plain definition and checks the
fast form against it, on texts made of the rules' own characters so that hits,
overlaps and near misses are common.
"""

from __future__ import annotations

import re
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.cleaning import lines, load_rules, zones
from indexer.enrichment.pattern_facts import at_start_only
from indexer.folding import fold
from indexer.pagerules import DEFAULT_ZONE_RULES, AnyPattern, zone_rules

RAW = tomllib.loads(DEFAULT_ZONE_RULES.read_text(encoding="utf-8"))
FAMILY_SOURCES = [p for patterns in RAW["families"].values() for p in patterns]
PLAIN_ANY = re.compile("|".join(f"(?:{p})" for p in FAMILY_SOURCES))
RULE_CHARS = sorted({ch for source in FAMILY_SOURCES for ch in source if not ch.isascii()})
ALPHABET = RULE_CHARS + list("0123456789 :-./>vipdocx,。")
texts = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)
# Lines made of whole cue words (the literal cues) with digits and punctuation between them.
WORDS = sorted({p for p in FAMILY_SOURCES if re.escape(p) == p})
glued = st.lists(st.sampled_from(WORDS + list("0123 :-。,年")), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, glued))
def test_any_family_is_the_plain_alternation(text: str) -> None:
    assert zone_rules()["any_family"].search(text) == (PLAIN_ANY.search(text) is not None)


@settings(max_examples=200, deadline=None)
@given(st.one_of(texts, glued))
def test_families_hit_are_the_families_whose_pattern_occurs(text: str) -> None:
    expected = {name for name, patterns in RAW["families"].items() if any(re.search(p, text) for p in patterns)}
    assert zones._families_hit(text) == expected


@given(st.text(alphabet=st.sampled_from(list("ab^$\n")), max_size=8))
def test_any_pattern_on_anchored_and_free_patterns(text: str) -> None:
    patterns = ["^a", "b$", "^$", "ab", "(?:^|b)a"]
    assert AnyPattern.of(patterns).search(text) == any(re.search(p, text) for p in patterns)


def test_patterns_anchored_at_the_start() -> None:
    assert at_start_only(re.compile("^ab"))
    assert at_start_only(re.compile(r"\Aab"))
    assert not at_start_only(re.compile("^ab", re.MULTILINE))
    assert not at_start_only(re.compile("(?:^|x)ab"))
    assert not at_start_only(re.compile("ab^"))


_PLAIN_WIDE = re.compile(f"[{zones._WIDE_RANGES}]")
WIDTH_CHARS = list("工会，。、（）ab1 ,.\n\t…“”—ＡＡ가ぁ\u3000\U00020001\U0001f600")


@given(st.text(alphabet=st.sampled_from(WIDTH_CHARS), max_size=30))
def test_counts_by_removing_other_runs_are_counts_of_each_character(text: str) -> None:
    assert zones.display_width(text) == len(text) + len(_PLAIN_WIDE.findall(text))
    assert zones._han_count(text) == len(re.findall(r"[\u3400-\u9fff]", text))


PLAIN_INLINE = [re.compile(p) for p in RAW["inline"]["patterns"]]
INLINE_CHARS = sorted({ch for p in RAW["inline"]["patterns"] for ch in p if not ch.isascii()}) + list(
    "0123 .-:/()<>abhtpwcomn"
)
inline_texts = st.one_of(
    st.text(alphabet=st.sampled_from(INLINE_CHARS), max_size=40),
    st.lists(
        st.sampled_from(["此处隐藏", "12字", "下载后可编辑", "第3页共5页", "- 2 -", "(www.a.com)", "工会", "。"])
    ).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(inline_texts)
def test_inline_spans_are_those_of_every_pattern_run_plainly(text: str) -> None:
    rules = zone_rules()
    folded = zones.folded_view(text).text
    plain = [m.span() for p in PLAIN_INLINE for m in p.finditer(folded) if m.end() > m.start()]
    fast = [
        m.span()
        for needs, p in zip(rules["inline_needs"], rules["inline"], strict=True)
        if needs in folded
        for m in p.finditer(folded)
        if m.end() > m.start()
    ]
    assert fast == plain


@given(st.text(alphabet=st.sampled_from(list("。！？!?；;工 \u3000\t\n,")), max_size=20))
def test_the_last_sentence_is_the_last_piece_of_the_split(text: str) -> None:
    assert lines._last_sentence(text) == lines._SENTENCE_BREAK.split(text)[-1]


BOILERPLATE = load_rules()
BOILERPLATE_CHARS = sorted(
    {ch for p in (*BOILERPLATE.line, *BOILERPLATE.tail, *BOILERPLATE.inline) for ch in p.pattern if not ch.isascii()}
) + list("0123 :-.[]()`'docxpfDOCX")
# Lines glued from the rules' own words, so that every kind of rule matches now and then.
BOILERPLATE_WORDS = [
    "我要投稿",
    "来源：",
    "时间:2023-12-30 ",
    "相关文章:",
    "【工作总结】",
    "本稿件属于",
    "精品合同推荐--",
]
BOILERPLATE_WORDS += ["海量范文文档任你选", "下一页", "[1] ", "本DOC文档由网生成", "由整理。", "工'会", "`", "工作"]
boilerplate_texts = st.one_of(
    st.text(alphabet=st.sampled_from(BOILERPLATE_CHARS), max_size=30),
    st.lists(st.sampled_from(BOILERPLATE_WORDS), max_size=4).map("".join),
)


def _plain_boilerplate(lines: list[tuple[str, int | None]]) -> tuple[list, dict[str, str]]:
    """BoilerplateRules.apply as first written: every rule searched on every line, in order."""
    kept: list[tuple[str, int | None, bool]] = []
    captured: dict[str, str] = {}
    for text, level in lines:
        folded = fold(text.strip())
        if any(p.search(folded) for p in BOILERPLATE.tail):
            break
        match = next((m for p in BOILERPLATE.line if (m := p.search(folded))), None)
        if match:
            captured.update({k: v for k, v in match.groupdict().items() if v and k not in captured})
            kept.append((text, level, True))
            continue
        for pattern in BOILERPLATE.inline:
            text = pattern.sub("", text)
        kept.append((text, level, False))
    return kept, captured


@settings(max_examples=300, deadline=None)
@given(st.lists(boilerplate_texts, max_size=6))
def test_boilerplate_rules_passed_over_by_required_text_mark_as_every_rule_would(texts: list[str]) -> None:
    lines = [(text, None) for text in texts]
    assert BOILERPLATE.apply(lines) == _plain_boilerplate(lines)
