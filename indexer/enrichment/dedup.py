"""Near-duplicate keys: copies of a paragraph across template sites share a key.

The key hashes only the Han characters of the folded text, so punctuation
width, stray junk (` '), placeholders (XX, 20xx, 202_) and numbers that a
site blanked or changed do not tell copies apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from indexer.folding import fold_chars

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def paragraph_key(text: str) -> str:
    """The duplicate key of one paragraph."""
    folded = fold_chars(text)  # the engine's fold, shared with the facets' reading of the paragraph
    core = _NOT_HAN.sub("", folded) or folded
    return hashlib.sha1(core.encode("utf-8")).hexdigest()[:16]


def article_key(substantial_keys: Sequence[str], all_keys: Sequence[str]) -> str:
    """The article's key: the smallest key among its substantial paragraphs.

    Two articles that share most paragraphs very likely share the smallest
    key (a min-hash over paragraphs), while needing no corpus-wide pass.
    """
    keys = substantial_keys or all_keys
    return min(keys) if keys else ""
