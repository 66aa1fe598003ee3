"""Which groups of literal keywords occur in a text, found in one regex scan.

Topics are "any of these keywords occurs"; asking ``keyword in text`` for each
of a taxonomy's hundred-odd keywords costs a Python step per keyword per
paragraph, while one alternation scans the text once in C.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


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
        self._pattern = re.compile("|".join(map(re.escape, words))) if words else None

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
