"""The fast forms of the parse stage's scans agree with their plain definitions.

Several scans were restated for speed: one alternation instead of a loop over
patterns, a cheap first-character assertion in front of look-behinds, a
prefilter before an expensive pass, one regex scan instead of a keyword loop.
Each test states the plain definition and checks the fast form against it, on
texts drawn from the characters that matter so that overlaps, prefixes and
near misses are common.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.cleaning import lines
from indexer.enrichment import facets, placeholders
from indexer.enrichment.keywords import KeywordGroups
from indexer.enrichment.quality import content_quality
from indexer.enrichment.rules import taxonomy
from indexer.enrichment.topics import paragraph_topics
from indexer.markers import MARKER_PATTERNS, leading_marker
from indexer.splitting import inline

MARKUP = list("第篇范文一二三四五六七八九十是首先其次（()）、，,.．:：；;。！？!? \t\u3000①②1２٣")
PLACES = list("鹿苑我原顺昌镇乡街道县市区总工会联合会党委政府办事处人大教育在")
BLANKS = list("2019xX×*_次篇户元件这其家一两本文条张单美，。")
SPACES = list(" \t\u00a0\u2003\u3000\u200b\ufeff\x01\x7fe\u0301\u200d工")
BRACKETS = list("《》“”（）()「」【】工")


def _texts(alphabet: list[str], max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(alphabet=st.sampled_from(alphabet), max_size=max_size)


@given(_texts(MARKUP))
def test_leading_marker_is_the_first_pattern_that_matches(text: str) -> None:
    expected = next(((style, m.group(0)) for style, p in MARKER_PATTERNS if (m := p.match(text))), None)
    marker = leading_marker(text)
    assert (marker and (marker.style, marker.text)) == expected


@given(_texts(MARKUP, 40))
def test_inline_breaks_split_where_the_plain_alternation_does(text: str) -> None:
    plain = re.compile("|".join(f"{before}(?={start})" for before, start in inline._BREAK_RULES))
    assert inline._BREAKS.split(text) == plain.split(text)


@settings(max_examples=300)
@given(st.lists(st.lists(_texts(list("工会培训技能"), 4), max_size=4), max_size=5), _texts(list("工会培训技能"), 20))
def test_keyword_groups_are_any_keyword_in_text(groups: list[list[str]], text: str) -> None:
    expected = {i for i, words in enumerate(groups) if any(w in text for w in words)}
    assert KeywordGroups(groups).present(text) == expected


TOPIC_CHARS = sorted({ch for topic in taxonomy()[0] for word in topic.keywords + topic.in_headings for ch in word})


@given(_texts(TOPIC_CHARS, 30), st.lists(_texts(TOPIC_CHARS, 6), max_size=3))
def test_paragraph_topics_are_the_taxonomy_read_plainly(text: str, section_path: list[str]) -> None:
    headings = " ".join(section_path)
    expected = [
        t.name for t in taxonomy()[0] if any(k in text for k in t.keywords) or any(k in headings for k in t.in_headings)
    ]
    assert paragraph_topics(text, section_path) == expected


_PLAIN_SLOT = re.compile(
    rf"(?<=[\u4e00-\u9fff])(?<![{placeholders._NUMERALS}])(次|篇|户|元|件)(?=[，。、；,;)）\u4e00-\u9fff])"
)


@given(_texts(BLANKS, 30))
def test_placeholders_as_plainly_defined(text: str) -> None:
    expected = [m.group(0) for m in placeholders._BLANKS.finditer(text)]
    for match in _PLAIN_SLOT.finditer(text):
        start, end = match.start(), match.end()
        before, word, after = text[start - 1], match.group(0), text[end : end + 1]
        if before + word in placeholders._NOT_SLOTS or word + after in placeholders._NOT_SLOTS:
            continue
        if any(w in text[max(0, start - 2) : end + 2] for w in placeholders._NOT_SLOTS if len(w) == 3):
            continue
        expected.append(f"{before}_{word}")
    assert placeholders.find_placeholders(text) == expected


@given(_texts(BLANKS, 30), st.booleans(), st.integers(0, 4))
def test_quality_counts_han_characters(text: str, heading: bool, blanks: int) -> None:
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    length = min(1.0, han / 100)
    score = length + (0.1 if re.search(r"\d", text) else 0) - 0.15 * min(blanks, 3) * (1.0 - length)
    assert content_quality(text, heading, blanks) == (0.1 if heading else round(max(0.0, min(1.0, score)), 3))


@given(_texts(PLACES, 30))
def test_place_patterns_match_where_their_look_behind_form_does(text: str) -> None:
    for fast in (facets._TOWNSHIP, facets._NAMED_UNION):
        plain = re.compile(fast.pattern.split(")", 1)[1])  # without the leading first-character assertion
        assert [m.span() + m.groups() for m in fast.finditer(text)] == [
            m.span() + m.groups() for m in plain.finditer(text)
        ]


@given(_texts(SPACES))
def test_normalise_spaces_as_plainly_defined(text: str) -> None:
    plain = lines._SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(lines._INVISIBLE)).strip()
    assert lines.normalise_spaces(text) == plain


@given(_texts(BRACKETS))
def test_unbalanced_as_plainly_defined(text: str) -> None:
    assert lines.is_unbalanced(text) == any(text.count(o) > text.count(c) for o, c in lines._OPEN_CLOSE)


@given(st.lists(_texts(list("工会总结开头.…\n "), 16), max_size=4))
def test_teasers_as_plainly_defined(texts: list[str]) -> None:
    expected = [
        text
        for i, text in enumerate(texts)
        if not (
            (body := lines._TEASER_END.sub("", text).strip()) != text
            and len(body) >= 10
            and (texts[i + 1] if i + 1 < len(texts) else "").startswith(body)
        )
    ]
    assert lines.drop_teasers(texts) == expected


def test_blanks_do_not_push_a_full_template_paragraph_down() -> None:
    full = "今年以来，我镇工会在镇党委的领导下，" * 7  # over 100 Han characters
    assert content_quality(full, False, 3) == content_quality(full, False, 0)
    assert content_quality("XX镇XX工会", False, 2) < content_quality("某镇某某工会", False, 0)
