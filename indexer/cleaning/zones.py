"""Page zones: which lines are the author's, which are titles, which the site added.

Lines are classified one by one *before* any joining, on their folded view
(indexer.folding), by the rule families of indexer/data/page_zones.toml:

* inline debris (truncation markers, page marks, injected site addresses) is
  cut out of a line, and the rest of the line stays;
* a line that combines enough cue families of a debris class (an editor's
  intro, a download notice, navigation, a byline, site furniture) is debris
  wherever it stands;
* titles, series markers and collection titles are recognised by
  indexer.titles; a collection title or a repeated title is debris;
* the **header zone** runs from the start of the page, and from each title,
  to the first body sentence: there a short line that is neither a title
  nor a numbered heading (a site name, a tag cloud, a stray word) is debris.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from indexer.folding import folded_view
from indexer.markers import leading_marker
from indexer.pagerules import LineRule, zone_rules
from indexer.textstats import count_in_pages
from indexer.titles import TitleShape, has_genre_word, names_a_unit, same_title, title_shape

Role = Literal["content", "title", "debris"]
_CLAUSE_MARK = re.compile(r"[。,;!?、]")
_SENTENCE = re.compile(r"[^。!?]*[。!?]+[\"'”’)」』]*|[^。!?]+$")
_TERMINAL = "。!?;:…”’」』)）】》\"'！？；："
_TITLE_CONTINUATION = "及暨和与并"
# East Asian Wide and Fullwidth blocks (what unicodedata.east_asian_width calls W or F), as ranges.
_WIDE_RANGES = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
)
# Wide characters are counted as what is left once the runs of all other characters are
# removed: Chinese lines hold few such runs, while finding each character makes a string of it.
_NOT_WIDE_RUN = re.compile(f"[^{_WIDE_RANGES}]+")


@dataclass(frozen=True)
class ZonedLine:
    """A line with its role and, for debris, the rule that named it."""

    text: str
    heading_level: int | None
    role: Role
    reason: str = ""


def strip_inline_debris(text: str) -> str:
    """``text`` without truncation markers, page marks and injected site stamps."""
    return split_inline_debris(text)[0]


def split_inline_debris(text: str) -> tuple[str, str]:
    """``text`` without its inline debris, and the debris that was cut out (run together)."""
    rules = zone_rules()
    view = folded_view(text)
    if not rules["inline_trigger"].search(view.text):
        return text, ""  # most lines: none of the characters every inline pattern needs
    spans = [
        m.span()
        for needs, pattern in zip(rules["inline_needs"], rules["inline"], strict=True)
        if needs in view.text
        for m in pattern.finditer(view.text)
        if m.end() > m.start()
    ]
    if not spans:
        return text, ""
    drop = [False] * len(text)
    for start, end in spans:
        a, b = view.original_span(start, end)
        for i in range(a, b):
            drop[i] = True
    kept = "".join(ch for ch, gone in zip(text, drop, strict=True) if not gone).strip()
    return kept, "".join(ch for ch, gone in zip(text, drop, strict=True) if gone)


def _families_hit(folded: str) -> set[str]:
    rules = zone_rules()
    if not rules["any_family"].search(folded):
        return set()  # most lines of text: no cue of any family
    # Only the families whose cues' required texts the line holds can be hit (pagerules._family_needs).
    maybe = rules["family_needs"].present(folded)
    return {
        name for i, (name, pattern) in enumerate(rules["families"].items()) if i in maybe and pattern.search(folded)
    }


def _satisfies(rule: LineRule, hit: set[str], length: int) -> bool:
    if rule.max_length and length > rule.max_length:
        return False
    return all(r in hit for r in rule.required) and len(hit.intersection(rule.families)) >= rule.min_families


def debris_rule(folded: str, hit: set[str] | None = None) -> str | None:
    """The name of the first line rule the folded line satisfies, if any.

    A long line (a one-line page) is judged whole only by the rules of short
    lines; sentence-scoped rules look at its sentences instead. ``hit``: the
    line's families, when the caller has them already.
    """
    hit = _families_hit(folded) if hit is None else hit
    if not hit:
        return None
    whole = len(folded) <= zone_rules()["zones"]["paragraph_max_length"]
    rules = (r for r in zone_rules()["line_rules"] if whole or not r.sentences)
    return next((rule.name for rule in rules if _satisfies(rule, hit, len(folded))), None)


def could_hold_debris_sentences(hit: set[str]) -> bool:
    """Whether a line with these families could hold a run of sentences some sentence rule names.

    A run's families are a subset of its line's: a line that fails every
    sentence rule as a whole holds no such run, and its sentences need no look.
    """
    return _could_hold(frozenset(hit))


@lru_cache(maxsize=1024)
def _could_hold(hit: frozenset[str]) -> bool:
    # Lines hit few distinct sets of families (most none at all): each set is judged once.
    return any(_satisfies(r, hit, 0) for r in zone_rules()["line_rules"] if r.sentences)


def strip_debris_sentences(text: str) -> tuple[str, str]:
    """``text`` without the runs of sentences that make up an intro or a notice, and the rule's name.

    A run is consecutive sentences that each hit a family of a sentence-scoped
    rule and together satisfy it: an editor's intro is a few sentences of cues
    ("总结是…书面材料。…怎么写呢？下面是小编整理的…，希望…"), whatever their order.
    """
    view = folded_view(text)
    bounds = [m.span() for m in _SENTENCE.finditer(view.text) if m.end() > m.start()]
    if len(bounds) < 2:
        return text, ""
    rules = [r for r in zone_rules()["line_rules"] if r.sentences]
    hits = [_families_hit(view.text[a:b]) for a, b in bounds]
    drop = [False] * len(bounds)
    name = ""
    for rule in rules:
        start = 0
        while start < len(bounds):
            if not hits[start].intersection(rule.families):
                start += 1
                continue
            end = start
            while end < len(bounds) and hits[end].intersection(rule.families):
                end += 1
            union = set().union(*hits[start:end])
            if _satisfies(rule, union, 0):
                drop[start:end] = [True] * (end - start)
                name = name or rule.name
            start = end
    if not any(drop):
        return text, ""
    keep = [True] * len(text)
    for (a, b), gone in zip(bounds, drop, strict=True):
        if gone:
            x, y = view.original_span(a, b)
            keep[x:y] = [False] * (y - x)
    return "".join(ch for ch, k in zip(text, keep, strict=True) if k).strip(), name


def is_body_sentence(folded: str) -> bool:
    """Prose of the author: long enough, mostly Han, with clause marks (or a long hard-wrapped run).

    A colon alone does not make a sentence: "字体:大 中 小 打印本页" is a row of labels.
    """
    settings = zone_rules()["zones"]
    if len(folded) < settings["body_min_length"] or _han_count(folded) * 10 < len(folded) * 6:
        return False
    return bool(_CLAUSE_MARK.search(folded)) or len(folded) >= 2 * settings["body_min_length"]


def _is_furniture(folded: str, hit: set[str], settings: dict) -> bool:
    """A short header-zone line that is no sentence: a lone word, a tag, a site name, a cue of any family."""
    if len(folded) > settings["header_short_line"] or folded[-1] in "。,;:!?、":
        return False
    lone = len(folded) <= settings["header_lone_word"] or _han_count(folded) * 2 < len(folded)
    return lone or bool(hit)


def display_width(text: str) -> int:
    """Columns a line takes in a fixed layout: wide (CJK, full-width) characters two, others one."""
    return len(text) + len(_NOT_WIDE_RUN.sub("", text))


def _han_count(text: str) -> int:
    """How many Han characters (U+3400–U+9FFF) ``text`` holds."""
    return count_in_pages(text, 0x34, 0x9F)


def wrap_width(texts: list[str]) -> int | None:
    """The width a hard-wrapped document was cut at, if its lines show one.

    A PDF or e-mail export cuts prose at a fixed width: many lines then share
    (within a few columns) the same, largest width. No common width, no wraps.
    """
    widths = [display_width(t) for t in texts]
    long = [w for w in widths if w >= 30]
    if len(long) < 4:
        return None
    mode = Counter(w // 4 for w in long).most_common(1)[0][0] * 4
    near = [w for w in long if mode - 4 <= w <= mode + 7]
    if len(near) < max(4, 0.4 * len(long)) or max(long) > 2 * mode:
        return None
    return max(near)


def runs_on(line: ZonedLine | None) -> bool:
    """The line is the author's and stops mid-sentence: what follows continues it."""
    return line is not None and line.role == "content" and line.text[-1] not in _TERMINAL


def _title_here(
    text: str, folded: str, level: int | None, before: ZonedLine | None, in_header: bool, title: str
) -> TitleShape | None:
    """The line read as a title, when its place on the page allows one.

    A numbered line is a heading ("一、…总结") unless it numbers a list of titles;
    a line that an open sentence runs into ends that sentence; inside a body an
    unmarked title-like line starts an article only when it names a unit or
    repeats the title; before the first sentence a short line that names a
    genre anywhere is a title ("关于…的总结思考").
    """
    if level not in (None, 0):
        return None
    if not in_header and runs_on(before):
        return None
    shape = title_shape(text)
    marker = leading_marker(text)
    if (
        shape is not None
        and marker is not None
        and not (shape.series and (in_header or same_title(shape.title, title)))
    ):
        return None
    if shape is not None and not (in_header or shape.series or shape.collection):
        return shape if names_a_unit(folded) or same_title(shape.title, title) else None
    if shape is None and in_header and marker is None and not is_body_sentence(folded) and has_genre_word(folded):
        return title_shape(text, loose=True)
    return shape


def _add_title_line(
    out: list[ZonedLine],
    shape: TitleShape,
    text: str,
    folded: str,
    level: int | None,
    before: ZonedLine | None,
    in_header: bool,
    title: str,
) -> tuple[bool, str]:
    """Add a line shaped like a title to ``out``; returns whether the header goes on, and the current title."""
    if shape.collection:
        out.append(ZonedLine(text, level, "debris", "collection title"))
    elif in_header and not shape.series and same_title(shape.title, title):
        out.append(ZonedLine(text, level, "debris", "title repeat"))
    elif before is not None and before.role == "title" and folded[0] in _TITLE_CONTINUATION:
        # "…2006年工作总结" / "及2007年工作计划": one title set on two lines
        out[-1] = ZonedLine(before.text + text, before.heading_level, "title")
        title = out[-1].text
    else:
        out.append(ZonedLine(text, level, "title"))
        title = shape.title or title
        in_header = True
    return in_header, title


def classify(lines: list[tuple[str, int | None, bool]]) -> list[ZonedLine]:
    """Give every ``(text, heading level, known debris)`` line its role; debris text is kept for the report."""
    settings = zone_rules()["zones"]
    out: list[ZonedLine] = []
    in_header = True
    title = ""
    width = wrap_width([t for t, _, _ in lines])
    previous = ""
    for raw_text, level, known_debris in lines:
        before = out[-1] if out else None  # the line before, whatever inline debris this one sheds
        text, cut = split_inline_debris(raw_text)
        if cut.strip():
            out.append(ZonedLine(cut, level, "debris", "inline debris"))
        folded = folded_view(text).text.strip()
        continues = bool(width and previous and display_width(previous) >= width - 6 and previous[-1] not in _TERMINAL)
        previous = text
        if not folded:
            continue
        if continues and before is not None and before.role != "title":
            # The rest of a wrapped line is what its start was: never a title of its own.
            out.append(ZonedLine(text, level, before.role, before.reason))
            continue
        hit = _families_hit(folded)
        rule = "site rule" if known_debris else debris_rule(folded, hit)
        if rule:
            out.append(ZonedLine(text, level, "debris", rule))
            continue
        text, rule = strip_debris_sentences(text) if could_hold_debris_sentences(hit) else (text, "")
        if rule:
            out.append(ZonedLine(raw_text, level, "debris", rule))
            folded = folded_view(text).text.strip()
            if not folded:
                continue
        if runs_on(before) and not in_header and same_title(text, title):
            # A PDF's running header between the two halves of a sentence.
            out.append(ZonedLine(text, level, "debris", "running header"))
            continue
        shape = _title_here(text, folded, level, before, in_header, title)
        if shape is not None:
            in_header, title = _add_title_line(out, shape, text, folded, level, before, in_header, title)
            continue
        if is_body_sentence(folded):
            in_header = False
        elif in_header and level is None and leading_marker(text) is None and _is_furniture(folded, hit, settings):
            out.append(ZonedLine(text, level, "debris", "header furniture"))
            continue
        out.append(ZonedLine(text, level, "content"))
    return out
