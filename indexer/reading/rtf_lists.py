"""RTF list numbers as the writing application showed them, before LibreOffice reads the file.

An RTF file numbers a paragraph twice: by reference to a list definition (``\\ls1``
with ``\\ilvl0``; the definition's ``\\leveltext`` is a template such as "%1、"), and
with the number already rendered in a ``{\\listtext 一、\\tab}`` group that readers
without list support show as text. LibreOffice re-renders the number from the
template — and its own RTF export writes templates in the ANSI code page only, so
"一、" comes back as "一?" and "（一）" as "(一)": every numbered heading of such a
file changes its words and its section path.

The rendered number is the truth (it is what the author saw), so when a file has
``\\listtext`` groups, :func:`literal_list_numbers` turns each into plain text of
its paragraph and takes the paragraphs (and styles) out of their lists, so nothing
is numbered twice. What follows the number is what its list level says
(``\\levelfollow``: a tab, a space or nothing) — writers put a ``\\tab`` at the end
of every ``\\listtext`` whatever the level says. A bullet becomes "•", as the .docx
reader writes it. Heading styles and outline levels are untouched, so headings stay
headings.

Applies to writers that emit ``\\listtext`` for every numbered paragraph (Word and
LibreOffice do, as the RTF specification asks); a file without any
``\\listtext`` is passed through unchanged.
"""

from __future__ import annotations

import re

# One RTF token: control word (letters, optional signed number, optional space
# delimiter), hex escape, control symbol, group brace, or a run of text.
_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'[0-9a-fA-F]{2}|\\[^a-zA-Z]|[{}]|[^\\{}]+", re.DOTALL)
_CONTROL_WORD_END = re.compile(rb"\\[a-zA-Z]{1,32}-?\d{0,10}$")
# Destinations that define lists: their \ls words are definitions, not references.
_LIST_TABLES = frozenset({b"listtable", b"listoverridetable"})
# Paragraph-level words inside \listtext that must not leak into the paragraph.
_LISTTEXT_DROP = frozenset({b"listtext", b"pard", b"s"})
_BULLET = b"\\u8226 ?"
# \levelfollow: 0 a tab (the default), 1 a space, 2 nothing.
_FOLLOW = {0: b"\\tab ", 1: b" ", 2: b""}


def literal_list_numbers(data: bytes) -> bytes:
    """``data`` with each ``{\\listtext …}`` as plain text and list references removed.

    Returns ``data`` itself when it has no ``\\listtext`` (nothing to repair) or is
    not well-formed enough to rewrite safely (unbalanced groups).
    """
    if b"\\listtext" not in data:
        return data
    tokens = _Tokens.of(data)
    if tokens is None:
        return data
    follows = _level_follows(tokens)
    text, words = tokens.text, tokens.words
    out: list[bytes] = []
    depth = 0
    list_table_depth: int | None = None  # the depth of an open \listtable group
    index = 0
    while index < len(text):
        token = text[index]
        if token == b"{":
            word = words[index + 1] if index + 1 < len(text) else None
            if word == b"listtext":
                end = _group_end(text, index)
                follow = follows.get(_paragraph_list(tokens, index, end), 0)
                out.append(_literal(text[index + 1 : end], _FOLLOW.get(follow, _FOLLOW[0])))
                index = end + 1
                continue
            depth += 1
            if list_table_depth is None and (word in _LIST_TABLES or _starred(tokens, index) in _LIST_TABLES):
                list_table_depth = depth
        elif token == b"}":
            if list_table_depth == depth:
                list_table_depth = None
            depth -= 1
        elif list_table_depth is None and words[index] == b"ls":
            _keep_delimited(out)
            index += 1
            continue
        out.append(token)
        index += 1
    return b"".join(out)


class _Tokens:
    """An RTF file as tokens, with each control word's name and number alongside."""

    def __init__(self) -> None:
        self.text: list[bytes] = []
        self.words: list[bytes | None] = []
        self.values: list[int | None] = []

    @classmethod
    def of(cls, data: bytes) -> _Tokens | None:
        """The tokens of ``data``; None when its groups do not balance."""
        tokens = cls()
        position = 0
        depth = 0
        while position < len(data):
            match = _TOKEN.match(data, position)
            if match is None:  # a lone backslash at the very end
                return None
            token, word, number = match.group(0), match.group(1), match.group(2)
            position = match.end()
            if word == b"bin" and number:
                # \binN: N raw bytes follow, which may hold anything, braces included.
                length = max(0, int(number))
                token += data[position : position + length]
                position += length
            elif token == b"{":
                depth += 1
            elif token == b"}":
                depth -= 1
                if depth < 0:
                    return None
            tokens.text.append(token)
            tokens.words.append(word)
            tokens.values.append(int(number) if number else None)
        return tokens if depth == 0 else None


def _level_follows(tokens: _Tokens) -> dict[tuple[int, int], int]:
    """(\\ls number, level) → \\levelfollow, from the list table and its overrides."""
    lists: dict[int, list[int]] = {}  # \listid → levelfollow per level
    overrides: dict[int, int] = {}  # \ls → \listid
    stack: list[bytes | None] = []  # the destination word of each open group
    levels: list[int] = []
    override: dict[bytes, int] = {}
    text, words, values = tokens.text, tokens.words, tokens.values
    for index, token in enumerate(text):
        if token == b"{":
            word = words[index + 1] if index + 1 < len(text) else None
            stack.append(word)
            if word == b"list":
                levels = []
            elif word == b"listlevel":
                levels.append(0)
            elif word == b"listoverride":
                override = {}
        elif token == b"}":
            word = stack.pop() if stack else None
            if word == b"listoverride" and b"ls" in override and b"listid" in override:
                overrides[override[b"ls"]] = override[b"listid"]
        elif stack and values[index] is not None:
            word, value, group = words[index], values[index], stack[-1]
            if group == b"listlevel" and word == b"levelfollow" and levels:
                levels[-1] = value
            elif group == b"list" and word == b"listid":
                lists[value] = levels
            elif group == b"listoverride" and word in (b"ls", b"listid"):
                override[word] = value
    return {
        (ls, level): follow for ls, list_id in overrides.items() for level, follow in enumerate(lists.get(list_id, []))
    }


def _paragraph_list(tokens: _Tokens, start: int, end: int) -> tuple[int, int]:
    """The (\\ls, \\ilvl) of the paragraph whose \\listtext group spans ``start``–``end``.

    Writers put these among the paragraph's properties, before the group (Word) or
    after it (LibreOffice): look back to the paragraph's \\pard and on to its text.
    """
    text, words, values = tokens.text, tokens.words, tokens.values
    found: dict[bytes, int] = {}
    for index in range(start - 1, -1, -1):
        word = words[index]
        if word in (b"pard", b"par") or text[index] in (b"{", b"}"):
            break
        if word in (b"ls", b"ilvl"):
            found.setdefault(word, values[index] or 0)
    for index in range(end + 1, len(text)):
        word = words[index]
        if word is None or word == b"par":
            break  # the paragraph's text (a group or a run) has begun
        if word in (b"ls", b"ilvl"):
            found.setdefault(word, values[index] or 0)
    return found.get(b"ls", 0), found.get(b"ilvl", 0)


def _word(token: bytes) -> bytes | None:
    """The name of a control word token (b"ls" for b"\\\\ls1 "), else None."""
    match = _TOKEN.match(token)
    return match.group(1) if match is not None else None


def _starred(tokens: _Tokens, index: int) -> bytes | None:
    """The destination name of ``{\\*\\name …}`` starting at ``index``."""
    if index + 2 < len(tokens.text) and tokens.text[index + 1] == b"\\*":
        return tokens.words[index + 2]
    return None


def _group_end(text: list[bytes], start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == b"{":
            depth += 1
        elif text[index] == b"}":
            depth -= 1
            if depth == 0:
                return index
    return len(text) - 1  # unreachable: the tokenizer checked the balance


def _literal(inner: list[bytes], follow: bytes) -> bytes:
    """A \\listtext group's content (after its opening brace, without the closing one) as plain text.

    The label keeps its formatting words (its font decides how its bytes decode) and
    is followed by ``follow`` instead of the writer's \\tab.
    """
    kept: list[bytes] = []
    leading = True
    for token in inner:
        word = _word(token)
        if word in _LISTTEXT_DROP or word == b"tab":
            _keep_delimited(kept)
            continue
        if leading and word is None and not token.startswith((b"\\", b"{", b"}")):
            # Space before the number (LibreOffice writes one) is not part of the label.
            token = token.lstrip(b" \r\n")
            if not token:
                continue
        if word is None or word == b"u":
            leading = False
        kept.append(token)
    while kept and not kept[-1].startswith((b"\\", b"{", b"}")) and not kept[-1].strip():
        kept.pop()  # a space written before the tab
    if not _has_label_characters(kept):
        # In the default font: a Symbol or Wingdings font would map even the space after it
        # to a private-use character.
        kept = [b"\\plain ", _BULLET]
    return b"{" + b"".join(kept) + follow + b"}"


def _has_label_characters(tokens: list[bytes]) -> bool:
    """Whether the text holds a letter, digit or CJK numeral (a number, not a bullet)."""
    text: list[str] = []
    skip = 0
    for token in tokens:
        word = _word(token)
        if word == b"u":
            value = int(re.match(rb"\\u(-?\d+)", token).group(1))  # type: ignore[union-attr]
            text.append(chr(value % 0x10000))
            skip = 1  # the ANSI fallback character after \uN
        elif word is not None or token in (b"{", b"}"):
            continue
        elif token.startswith(b"\\'"):
            if not skip:
                text.append(bytes([int(token[2:4], 16)]).decode("cp1252", errors="replace"))
            skip = 0
        elif not token.startswith(b"\\"):
            text.append(token[skip:].decode("latin-1"))
            skip = 0
    return any(character.isalnum() for character in "".join(text))


def _keep_delimited(out: list[bytes]) -> None:
    """Dropping a token must not glue the control word before it to the text after it."""
    if out and _CONTROL_WORD_END.search(out[-1]):
        out[-1] += b" "
