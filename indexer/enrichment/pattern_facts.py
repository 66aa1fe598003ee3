"""Facts about a regular expression that let a scan skip work without changing its matches.

Cue families are many small patterns run over every article, most of which do not
occur in it. Two facts, read from the pattern's parse tree, make those misses cheap:

* :func:`required_text`: a string every match contains, so a text without it is
  skipped by a fast ``in`` test (and a pattern that is only plain characters is
  counted by ``str.count``);
* :func:`with_first_chars`: the characters a match can start with, asserted in
  front of a pattern that opens with a look-behind or a group, so the regex
  engine rejects every other position with one test.

Both err on the safe side: where the parse tree has anything not understood
here, the answer is "nothing known" and the pattern runs as written.
tests/indexer/enrichment/test_pattern_facts.py checks each against the plain scan.
"""

from __future__ import annotations

import re

try:  # the standard library's regex parser (private, but stable since Python 3.11)
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - another Python: no facts, every pattern runs as written
    _sre = _sre_parse = None  # type: ignore[assignment]

#: Character-class escapes for the categories a class may hold (\d, \w, \s and their negations).
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
}


def _parse(pattern: re.Pattern[str]) -> list | None:
    """The top-level items of ``pattern``'s parse tree, or None when no fact can be read."""
    if _sre_parse is None or pattern.flags & (re.IGNORECASE | re.LOCALE | re.ASCII):
        return None  # characters may match more than themselves: not analysed
    try:
        return list(_sre_parse.parse(pattern.pattern, pattern.flags))
    except (re.error, AttributeError, TypeError, ValueError):  # a future parser may differ
        return None


def required_text(pattern: re.Pattern[str]) -> tuple[str | None, str]:
    """(literal, needs): the pattern's text when it is only plain characters, and a string every match contains.

    ``needs`` is the longest run of plain characters in the pattern's top-level
    sequence or inside a group of it (groups at top level are mandatory); classes,
    repeats, alternations and look-arounds end a run. "" when nothing is known.
    """
    items = _parse(pattern)
    if not items:
        return None, ""
    if all(op is _sre.LITERAL for op, _ in items):
        text = "".join(chr(arg) for _, arg in items)
        return text, text
    return None, max(_literal_runs(items), key=len, default="")


def _literal_runs(items: list) -> list[str]:
    """The runs of plain characters in a parsed sequence and in the mandatory groups inside it."""
    runs: list[str] = []
    current: list[str] = []
    for op, arg in items:
        if op is _sre.LITERAL:
            current.append(chr(arg))
            continue
        runs.append("".join(current))
        current = []
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, inner = arg
            if not (add_flags or del_flags):
                runs.extend(_literal_runs(list(inner)))
    runs.append("".join(current))
    return runs


#: At most this many texts stand for the matches of a pattern (see required_alternatives).
MAX_ALTERNATIVES = 64


def required_alternatives(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Texts one of which every match of ``pattern`` contains; None when none are known.

    :func:`required_text` widened to alternations: "(正式|付费)会员" needs 正式会员 or
    付费会员, "(为|给)(大家|您)" one of four words, "\\d+篇" needs 篇. Read from a run
    of consecutive top-level items whose matches can be written out (plain characters,
    groups, branches, optional parts, classes of a few plain characters; look-arounds and
    anchors consume nothing); of the runs, the one whose shortest text is longest.
    """
    items = _parse(pattern)
    if not items:
        return None
    best: tuple[tuple[int, int], frozenset[str]] | None = None
    for start in range(len(items)):
        texts: set[str] | None = {""}
        for op, arg in items[start:]:
            texts = _concatenated(texts, _texts_of_item(op, arg))  # type: ignore[arg-type]
            if texts is None:
                break
            if "" not in texts:
                rank = (min(map(len, texts)), -len(texts))
                if best is None or rank > best[0]:
                    best = (rank, frozenset(texts))
    return None if best is None else best[1]


def _concatenated(left: set[str] | None, right: set[str] | None) -> set[str] | None:
    """Every text of ``left`` followed by every text of ``right``; None when too many or unknown."""
    if left is None or right is None or len(left) * len(right) > MAX_ALTERNATIVES:
        return None
    return {a + b for a in left for b in right}


def _texts_of_sequence(items: list) -> set[str] | None:
    texts: set[str] | None = {""}
    for op, arg in items:
        texts = _concatenated(texts, _texts_of_item(op, arg))
        if texts is None:
            return None
    return texts


def _texts_of_item(op: object, arg: object) -> set[str] | None:
    """Every text one item of a parse tree can match, when they are few and known."""
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return {""}
    if op is _sre.LITERAL:
        return {chr(arg)}  # type: ignore[arg-type]
    if op is _sre.IN:
        chars = [chr(a) for o, a in arg if o is _sre.LITERAL]  # type: ignore[attr-defined]
        return set(chars) if len(chars) == len(arg) and len(chars) <= MAX_ALTERNATIVES else None  # type: ignore[arg-type]
    if op is _sre.SUBPATTERN:
        _group, add_flags, del_flags, inner = arg  # type: ignore[misc]
        return None if add_flags or del_flags else _texts_of_sequence(list(inner))
    if op is _sre.BRANCH:
        texts: set[str] = set()
        for alternative in arg[1]:  # type: ignore[index]
            found = _texts_of_sequence(list(alternative))
            if found is None:
                return None
            texts |= found
        return texts if len(texts) <= MAX_ALTERNATIVES else None
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[:2] == (0, 1):  # type: ignore[index]
        found = _texts_of_sequence(list(arg[2]))  # type: ignore[index]
        return None if found is None else found | {""}
    return None


def first_chars(pattern: re.Pattern[str]) -> str | None:
    """A character class (without brackets) holding every character a match can start with.

    None when unknown, or when the pattern can match the empty string.
    """
    items = _parse(pattern)
    if not items:
        return None
    found = _first_of_sequence(items)
    return found[0] if found is not None and not found[1] else None


def _first_of_sequence(items: list) -> tuple[str, bool] | None:
    """(class of first characters, whether the sequence can match empty) of a parsed sequence.

    Items that may match empty (look-arounds, ^, optional parts) add their first
    characters and let the next item's count too; the first item that cannot
    match empty ends the sequence's first characters. None when unknown.
    """
    chars = ""
    for op, arg in items:
        found = _first_of_item(op, arg)
        if found is None:
            return None
        chars += found[0]
        if not found[1]:
            return chars, False
    return chars, True


def _first_of_item(op: object, arg: object) -> tuple[str, bool] | None:
    """(class of first characters, whether it can match empty) of one item of a parse tree."""
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return "", True  # consumes nothing: the first character comes from what follows
    if op is _sre.LITERAL:
        return re.escape(chr(arg)), False  # type: ignore[arg-type]
    if op is _sre.IN:
        chars = _class_of(arg)  # type: ignore[arg-type]
        return None if chars is None else (chars, False)
    if op is _sre.SUBPATTERN:
        _group, add_flags, del_flags, inner = arg  # type: ignore[misc]
        return None if add_flags or del_flags else _first_of_sequence(list(inner))
    if op is _sre.BRANCH:
        parts = [_first_of_sequence(list(alternative)) for alternative in arg[1]]  # type: ignore[index]
        if any(part is None for part in parts):
            return None
        return "".join(p[0] for p in parts), any(p[1] for p in parts)  # type: ignore[index]
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, _high, inner = arg  # type: ignore[misc]
        found = _first_of_sequence(list(inner))
        return None if found is None else (found[0], found[1] or low == 0)
    return None


def _class_of(items: list) -> str | None:
    """A class's items written back as a class body: plain characters, ranges and categories."""
    parts: list[str] = []
    for op, arg in items:
        if op is _sre.LITERAL:
            parts.append(re.escape(chr(arg)))
        elif op is _sre.RANGE:
            parts.append(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif op is _sre.CATEGORY and str(arg) in _CATEGORIES:
            parts.append(_CATEGORIES[str(arg)])
        else:
            return None  # a negated class ([^…]) or anything else: no useful fact
    return "".join(parts)


def at_start_only(pattern: re.Pattern[str]) -> bool:
    """Whether every match of ``pattern`` starts at the start of the text (it opens with ``^`` or ``\\A``).

    Such a pattern is found by ``match`` as well as by ``search``. False when unknown
    (and under MULTILINE, where ``^`` also matches after each line break).
    """
    items = _parse(pattern)
    if not items or pattern.flags & re.MULTILINE:
        return False
    op, arg = items[0]
    return op is _sre.AT and arg in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING)


def with_first_chars(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` with its first characters asserted up front, when that makes a scan cheaper.

    Patterns that open with a look-around, or with an alternation whose branches do
    not all open with a plain character, gain: the engine otherwise tries them in full
    at every position. For one that opens with a plain character, a class, or a group
    of branches that each do, the regex engine already skips ahead on those characters
    itself, and an assertion in front would stop it doing so (2-3x slower on real
    bodies); a repeated class (\\d+…) gains nothing either. Every match consumes one of
    the asserted characters first, so the matches found are the same.
    """
    items = _parse(pattern)
    if not items or _engine_skips_ahead(items):
        return pattern
    chars = first_chars(pattern)
    if chars is None:
        return pattern
    try:
        return re.compile(f"(?=[{chars}])(?:{pattern.pattern})", pattern.flags)
    except re.error:  # e.g. inline global flags, which must open a pattern
        return pattern


def _engine_skips_ahead(items: list) -> bool:
    """Whether the regex engine finds where a pattern can start by itself (or an assertion would not help).

    As the standard library's compiler does: groups without flags are looked into; a
    plain character, a class, or branches that each open with a plain character give
    it a set of first characters to skip ahead on. A pattern opening with a repeated
    character or class is tried cheaply at each position already.
    """
    op, arg = items[0]
    while op is _sre.SUBPATTERN and not (arg[1] or arg[2]):
        inner = list(arg[3])
        if not inner:
            return False
        op, arg = inner[0]
    if op in (_sre.LITERAL, _sre.IN):
        return True
    if op is _sre.BRANCH:
        return all(len(branch) > 0 and branch[0][0] is _sre.LITERAL for branch in arg[1])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, _high, inner = arg
        inner = list(inner)
        return low >= 1 and len(inner) == 1 and inner[0][0] in (_sre.LITERAL, _sre.IN)
    return False
