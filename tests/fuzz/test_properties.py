"""Property tests (hypothesis) on the three places arbitrary text flows through unguarded.

- the query parser: whatever a user types, it never raises, and every term it
  keeps is a non-empty, trimmed piece of the input;
- the cleaner: it never raises, and never loses a character of real text;
- the highlighter: it never raises, and stripping its marks and unescaping
  gives back the text exactly (copy and export rely on that).

"Real text" for the cleaner: a document none of whose lines, alone or run
together, matches a boilerplate rule, and none of whose lines ends like a
teaser excerpt ("…" / "..."), since those are the only things the cleaner is
allowed to drop. For such a document every Han character of the input
appears in the output, in order, none added (compared after NFC, the one
normalisation the cleaner applies: it folds CJK compatibility ideographs).
"""

from __future__ import annotations

import html
import unicodedata
from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.highlight import highlight, strip_marks
from engine.query import MAX_QUERY_LENGTH, Term, parse_query
from indexer.cleaning import clean_lines, load_rules
from indexer.reading import RawLine

RULES = load_rules()
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Characters chosen to stress each component: query syntax, HTML, widths, spaces, controls.
_SYNTAX_CHARS = " \t\n\r\"“”「」『』＂-－—\u2212\u3000\u00a0\u200b\ufeff<>&'`;:：，。、（）()《》【】…·•*"
_HAN = "工会职工送温暖困难帮扶集体协商厂务公开镇乡街道年上下半全喪醫書學\uf900\uf9dc"  # + compatibility ideographs
_LATIN = "ORorANDXx0123456789abc"

tricky_text = st.text(alphabet=st.sampled_from(_SYNTAX_CHARS + _HAN + _LATIN), max_size=80)
any_text = st.text(max_size=300)  # all of Unicode but lone surrogates


def _han(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.name(ch, "").startswith("CJK"))


# --------------------------------------------------------------------------- query parser


def _terms(raw: str) -> list[Term]:
    parsed = parse_query(raw)
    return [t for c in parsed.required for t in c.alternatives] + list(parsed.excluded)


@SETTINGS
@given(st.one_of(any_text, tricky_text, st.text(min_size=MAX_QUERY_LENGTH, max_size=MAX_QUERY_LENGTH * 3)))
def test_query_parser_never_raises_and_keeps_only_real_terms(raw: str) -> None:
    parsed = parse_query(raw)
    for term in _terms(raw):
        assert term.text.strip(), "an empty or blank term"
        if term.phrase:  # a phrase keeps single inner spaces, nothing at its ends
            assert term.text == " ".join(term.text.split())
        else:  # a word never holds white space of any kind
            assert not any(ch.isspace() for ch in term.text)
    assert all(clause.alternatives for clause in parsed.required)
    assert all(parsed.positive_terms())  # what the highlighter gets


@SETTINGS
@given(any_text)
def test_query_parser_is_deterministic(raw: str) -> None:
    assert parse_query(raw) == parse_query(raw)


# --------------------------------------------------------------------------- cleaner


_line = st.text(
    alphabet=st.sampled_from(_HAN + "，。、；：！？“”（）《》0123456789abcXY -•·\u3000\u00a0\t\u200b\x0b"), max_size=60
)


def _no_site_inline_rule_or_teaser(lines: list[str]) -> bool:
    """No exact site rule would cut inside these lines, and no line is a teaser (both drop text unnamed)."""
    if any(p.search(line) for line in lines for p in RULES.inline):
        return False
    return not any(line.rstrip(" \t\u3000\u00a0\u200b\x0b").endswith(("…", "...")) for line in lines)


@SETTINGS
@given(st.lists(st.tuples(_line, st.sampled_from([None, None, None, 1, 2])), max_size=25))
def test_every_han_character_is_kept_or_dropped_by_a_named_rule(raw: list[tuple[str, int | None]]) -> None:
    lines = [text for text, _ in raw]
    assume(_no_site_inline_rule_or_teaser(lines))
    result = clean_lines([RawLine(text, level) for text, level in raw], RULES)
    accounted = Counter(_han("".join(line.text for line in result.lines)))
    accounted.update(_han("".join(z.text for z in result.dropped if z.reason)))
    assert not Counter(_han("".join(lines))) - accounted


@SETTINGS
@given(st.lists(st.tuples(any_text, st.sampled_from([None, 0, 1, 3])), max_size=20))
def test_cleaner_never_raises_on_arbitrary_text(raw: list[tuple[str, int | None]]) -> None:
    result = clean_lines([RawLine(text.replace("\n", " "), level) for text, level in raw], RULES)
    assert all(line.text and line.text == line.text.strip() for line in result.lines)


# --------------------------------------------------------------------------- highlighter


@SETTINGS
@given(st.one_of(any_text, tricky_text), st.lists(st.one_of(any_text, tricky_text), max_size=5), st.integers(1, 400))
def test_highlight_round_trips_exactly(text: str, terms: list[str], fragment_size: int) -> None:
    result = highlight(text, terms, fragment_size=fragment_size)
    assert html.unescape(strip_marks(result.html)) == text
    fragment = html.unescape(strip_marks(result.fragment_html))
    assert fragment == text[result.fragment_start : result.fragment_end]
    assert result.html.count("<mark>") == result.html.count("</mark>") == result.match_count


@SETTINGS
@given(st.one_of(any_text, tricky_text))
def test_highlight_of_query_terms_round_trips(raw: str) -> None:
    # The portal's path: terms come from the parser, text from the index.
    text = raw + "工会送温暖" + raw[::-1]
    assert html.unescape(strip_marks(highlight(text, parse_query(raw).positive_terms()).html)) == text
