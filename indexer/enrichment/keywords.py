"""Which groups of literal keywords occur in a text, found in one regex scan.

Topics are "any of these keywords occurs"; asking ``keyword in text`` for each
of a taxonomy's hundred-odd keywords costs a Python step per keyword per
paragraph, while one alternation scans the text once in C. The alternation is
written as a trie (:func:`trie_pattern`): the regex engine then skips every
position whose character starts no keyword, and tries one branch per next
character instead of one per keyword.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def trie_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A regex matching, at a position, the longest of ``words`` that starts there (None for no words).

    The same matches as the alternation of the words longest first: 工会|工作|工 is
    written 工(?:会|作)?, so each branch starts with a plain character (which lets the
    engine skip ahead on a set of first characters) and a shared prefix is read once.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    source = _branches(trie)
    return re.compile(source) if source else None


def _branches(node: dict[str, dict]) -> str:
    """The regex of a trie node: one branch per next character, optional where a word ends here."""
    branches = [re.escape(ch) + _branches(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return body
    # Greedy: the longer word is tried first, the word ending here is the fallback.
    return ("(?:" + body + ")" if len(branches) == 1 and len(body) > 1 else body) + "?"


class KeywordGroups:
    """Numbered groups of keywords; :meth:`present` tells which groups have a keyword in a text."""

    def __init__(self, groups: Sequence[Iterable[str]]) -> None:
        owners: dict[str, set[int]] = {}
        for index, words in enumerate(groups):
            for word in words:
                owners.setdefault(word, set()).add(index)
        # The empty keyword occurs in every text; keeping it out of the regex keeps the scan finite.
        self._always = frozenset(owners.pop("", ()))
        # Longest first: where several keywords match at one position the alternation takes the
        # longest, and every other one matching there is a prefix of it, so its closure (the
        # groups of all its prefixes that are keywords) accounts for them all.
        words = sorted(owners, key=len, reverse=True)
        self._closure = {w: frozenset(i for v in words if w.startswith(v) for i in owners[v]) for w in words}
        self._pattern = trie_pattern(words)

    def present(self, text: str) -> set[int]:
        """The indices of the groups with at least one keyword in ``text``."""
        found = set(self._always)
        if self._pattern is None:
            return found
        search = self._pattern.search
        match = search(text)
        while match:
            found |= self._closure[match.group()]
            # One position further, not past the match: keywords may overlap (技能培训, 培训).
            match = search(text, match.start() + 1)
        return found
