"""The fast forms of facet enrichment agree with their plain definitions.

Cue families count with ``str.count`` and skip texts without a cue's required
text; some patterns get their first characters asserted up front; jieba's
part-of-speech table is read in one split; the level is scored once per article.
Each test states the plain definition and checks the fast form against it, on
texts drawn from the characters the cues are made of, so that hits, overlaps
and near misses are common.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.enrichment import places, writer
from indexer.enrichment.evidence import ArticleText
from indexer.enrichment.keywords import trie_pattern
from indexer.enrichment.pattern_facts import first_chars, required_alternatives, required_text, with_first_chars
from indexer.enrichment.rules import CueFamily, LiteralCounts, LiteralIndex, all_families, facet_rules


def _families() -> list[CueFamily]:
    """Every cue family of facets.toml."""
    return all_families(facet_rules())


def _sources() -> list[str]:
    """The source of every cue and of every other pattern facts.toml compiles."""
    rules = facet_rules()
    sources = [cue.pattern.pattern for family in _families() for cue in family.cues]
    sources += [rules["writer"]["superior"].pattern, rules["year"]["plan"].pattern, rules["year"]["blank"].pattern]
    return sources + [p.pattern for p in rules["year"]["report"]]


# Texts made of the cues' own characters (and digits, punctuation, line breaks and the mask).
CUE_CHARS = sorted({ch for source in _sources() for ch in source if "\u4e00" <= ch <= "\u9fff"})
ALPHABET = CUE_CHARS + list("0123456789x,.;:。、|\n")
texts = st.text(alphabet=st.sampled_from(ALPHABET), max_size=60)
# Word-like texts: whole cue literals glued together, so that every literal cue occurs.
LITERALS = sorted({cue.literal for family in _families() for cue in family.cues if cue.literal})
glued = st.lists(st.sampled_from(LITERALS + list("年月日12,。\n")), max_size=12).map("".join)


def _plain_score(family: CueFamily, text: str, cap: int) -> float:
    """CueFamily.score as first written: finditer per cue, weighted, capped."""
    total = 0.0
    for cue in family.cues:
        hits = sum(1 for _ in re.finditer(_plain(cue.pattern), text))
        total += cue.weight * (min(hits, cap) if cap else hits)
    return total


def _plain(pattern: re.Pattern[str]) -> str:
    """A pattern's source without the first-character assertion with_first_chars put in front."""
    source = pattern.pattern
    if source.startswith("(?=[") and source.endswith(")"):
        return source[source.index("])(?:") + 5 : -1]
    return source


@settings(max_examples=150, deadline=None)
@given(st.one_of(texts, glued), st.sampled_from([0, 1, 4]))
def test_family_scores_hits_and_ends_as_plain_finditer(text: str, cap: int) -> None:
    for family in _families():
        plain = [_plain(cue.pattern) for cue in family.cues]
        assert family.score(text, cap) == _plain_score(family, text, cap)
        assert family.hits(text) == any(re.search(p, text) for p in plain)
        ends = [m.end() for p in plain for m in re.finditer(p, text)]
        assert family.last_end(text) == max(ends, default=-1)


@settings(max_examples=150, deadline=None)
@given(st.one_of(texts, glued))
def test_first_character_assertions_keep_every_match(text: str) -> None:
    for source in _sources():
        plain = re.compile(_plain(re.compile(source)), re.MULTILINE)
        fast = with_first_chars(plain)
        assert [m.span() + m.groups() for m in fast.finditer(text)] == [
            m.span() + m.groups() for m in plain.finditer(text)
        ]


def test_pattern_facts_on_examples() -> None:
    assert required_text(re.compile("我校")) == ("我校", "我校")
    assert required_text(re.compile(r"县\(市\)")) == ("县(市)", "县(市)")
    assert required_text(re.compile("(?<!团)县委")) == (None, "县委")
    assert required_text(re.compile("(ab)(?=x)")) == (None, "ab")
    assert required_text(re.compile("ab?c")) == (None, "a")
    assert required_text(re.compile("(?i)ab")) == (None, "")
    assert first_chars(re.compile("(?<![学])院工会")) == "院"
    assert first_chars(re.compile("(按照|根据)x")) in ("按根", "根按")
    assert first_chars(re.compile("a?b")) == "ab"  # an optional first item lets the next one count
    chars = first_chars(re.compile("(?:^|[。\\n])(19|20)"))  # ^ matches empty: the digits count too
    assert [ch for ch in "。\n12a" if re.fullmatch(f"[{chars}]", ch)] == list("。\n12")
    assert first_chars(re.compile("a*")) is None  # matches the empty string
    assert first_chars(re.compile("(?=x)")) is None  # matches the empty string
    assert first_chars(re.compile("[^a]b")) is None
    assert with_first_chars(re.compile("学校党[委政]")).pattern == "学校党[委政]"  # the engine skips ahead itself


def test_required_alternatives_on_examples() -> None:
    assert required_alternatives(re.compile("(正式|付费)会员")) == {"正式会员", "付费会员"}
    assert required_alternatives(re.compile("(为|给)(大家|您)")) == {"为大家", "为您", "给大家", "给您"}
    assert required_alternatives(re.compile(r"\d+篇")) == {"篇"}
    assert required_alternatives(re.compile("怎么样?呢")) == {"怎么呢", "怎么样呢"}
    assert required_alternatives(re.compile(r"^(摘要|简介)[:]")) == {"摘要:", "简介:"}
    assert required_alternatives(re.compile("[^a]b")) == {"b"}
    assert required_alternatives(re.compile("a*")) is None  # matches the empty string
    assert required_alternatives(re.compile("(?i)ab")) is None  # characters may match more than themselves


@settings(max_examples=150, deadline=None)
@given(st.one_of(texts, glued))
def test_every_match_holds_one_of_the_required_alternatives(text: str) -> None:
    for source in _sources():
        plain = re.compile(_plain(re.compile(source)))
        needed = required_alternatives(plain)
        if needed is not None:
            for match in plain.finditer(text):
                assert any(t in match.group() for t in needed), (source, match.group())


def _plain_tag_table(data: bytes) -> dict[str, str]:
    """word_tags as first written: the file read as text, line by line."""
    tags: dict[str, str] = {}
    for line in data.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
    return tags


def test_the_installed_dictionary_reads_as_line_by_line() -> None:
    data = writer._dictionary().read_bytes()
    fast = writer.read_tag_table(data)
    plain = _plain_tag_table(data)
    assert {word.decode(): tag.decode() for word, tag in fast.items()} == plain
    tags = writer.word_tags()
    assert tags.get("按照") == plain["按照"] and "顺昌" in tags and tags.get("不是一个词语") is None


def test_a_dictionary_with_other_layouts_is_read_line_by_line() -> None:
    data = "工会 3 n\na b\n\n按照 9 p\n".encode()
    assert writer.read_tag_table(data) == {"工会".encode(): b"n", "按照".encode(): b"p"}


def _plain_org_level(text: ArticleText, unit: writer.UnitName | None) -> tuple[str, str] | None:
    """org_level as first written: every family scored on every call, plain finditer counts."""
    weights = facet_rules()["org_level_weights"]
    cap = int(weights["cap"])
    scores: dict[str, float] = {}
    from_title: dict[str, float] = {}
    for level in facet_rules()["org_level"]:
        fam = level.families
        body = (
            weights["self"] * _plain_score(fam["self"], text.masked, cap)
            + weights["party"] * _plain_score(fam["party"], text.body, cap)
            + weights["scope"] * _plain_score(fam["scope"], text.masked, cap)
            + weights["milieu"] * min(_plain_score(fam["milieu"], text.body, 0), 3 * cap)
        )
        title = weights["title"] * _plain_score(fam["title"], text.heads, 1)
        unit_type = writer.core_of_org(unit.name)[len(unit.core) :] if unit is not None else ""
        probe = unit_type or (unit.name if unit is not None else "")
        votes = unit is not None and unit_type not in writer._AMBIGUOUS_TYPES and probe
        if votes and any(re.search(_plain(cue.pattern), probe) for cue in fam["title"].cues):
            body += weights["self"] * 2
        scores[level.value] = body + title
        from_title[level.value] = title
    value, score = max(scores.items(), key=lambda item: item[1])
    if score < float(weights["minimum"]):
        return None
    return value, ("title" if from_title[value] * 2 > score else "text")


UNITS = [None, writer.UnitName("横河镇工会", "横河", "工会"), writer.UnitName("凤台四中", "凤台", "")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(texts, glued), min_size=1, max_size=4), st.one_of(texts, glued), st.sampled_from(UNITS))
def test_level_read_once_is_the_level_read_plainly(paragraphs: list[str], title: str, unit: object) -> None:
    text = ArticleText(title, tuple(paragraphs))
    assert writer.level_evidence(text).best(unit) == _plain_org_level(text, unit)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from(list("工会作.a*")), min_size=1, max_size=4), max_size=6),
    st.text(alphabet=st.sampled_from(list("工会作.a*x")), max_size=24),
)
def test_trie_pattern_matches_as_the_longest_first_alternation(words: list[str], text: str) -> None:
    trie = trie_pattern(words)
    if not words:
        assert trie is None
        return
    plain = re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True))))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert [trie.match(text, i) and trie.match(text, i).group() for i in range(len(text))] == [
        plain.match(text, i) and plain.match(text, i).group() for i in range(len(text))
    ]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(texts, glued), min_size=1, max_size=3), st.sampled_from([0, 1, 4]))
def test_scores_from_one_scan_for_all_literals_are_the_plain_scores(paragraphs: list[str], cap: int) -> None:
    text = ArticleText.of("", paragraphs)
    for family in _families():
        assert family.score(text.body, cap, text.body_counts) == _plain_score(family, text.body, cap)
        assert family.score(text.masked, cap, text.masked_counts) == _plain_score(family, text.masked, cap)
        # Counts of another text are not used.
        assert family.score(text.masked, cap, text.body_counts) == _plain_score(family, text.masked, cap)


def test_literal_counts_count_literals_outside_the_index_too() -> None:
    counts = LiteralCounts("我镇我镇总工会", LiteralIndex(["我镇", "工会", "全镇"]))
    assert counts.occurring == frozenset({"我镇", "工会"})
    assert (counts("我镇"), counts("全镇"), counts("总工"), counts("镇")) == (2, 0, 1, 2)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("鹿苑原镇乡街道办事处在 ,1工")), max_size=40))
def test_township_candidates_are_found_as_by_finditer(text: str) -> None:
    found = [(m.span(), m.groups()) for m in places._candidate_matches(text)]
    assert found == [(m.span(), m.groups()) for m in places._CANDIDATE.finditer(text)]


def test_first_characters_are_asserted_only_where_the_engine_cannot_skip_ahead() -> None:
    for source in ("工会", "[县区]委", "(取得|获得)了?成绩", "(是|的)一年", r"\d+人次", "(?:19|20)年"):
        assert with_first_chars(re.compile(source)).pattern == source
    for source in ("(?<!团)县委", r"\s*篇\d", "(?:(?<!x)a|b)"):
        assert with_first_chars(re.compile(source)).pattern.startswith("(?=[")
