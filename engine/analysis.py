"""Text analysis, defined once and used identically at index and query time.

Two views of every text, both handed to the engines as pre-split tokens so
that no engine-side analyser can disagree with this module:

* ``words`` — jieba search-mode words (jieba-rs) with the union-domain user dictionary
  (engine/data/userdict.txt). Drives BM25 ranking and proximity.
* ``chars`` — overlapping character bigrams of each run of letters/digits/
  Han characters (a lone character stands as itself). A phrase of the query's
  bigrams matches exactly the paragraphs that contain the query literally,
  which is the recall guarantee jieba alone cannot give (职工 in 教职工).

Both views work on folded text: full-width → half-width, traditional →
simplified, lower case, one character for one character, so that offsets in
the folded text are offsets in the original (the highlighter relies on it).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
import rjieba

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"

#: A token placed between runs so that no bigram phrase can span two runs.
RUN_BREAK = "\u2016"

_t2s = opencc.OpenCC("t2s")
_jieba_lock = threading.Lock()
_tokenizer: rjieba.Jieba | None = None
_NON_WORD = re.compile(r"[^\w]+|_+")


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """Fold one character (width, case, traditional→simplified); always one character."""
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        folded = ch
    folded = folded.lower()
    if len(folded) != 1:
        folded = ch
    if "\u3400" <= folded <= "\U0002ffff":
        simplified = _t2s.convert(folded)
        if len(simplified) == 1:
            folded = simplified
    return folded


def fold(text: str) -> str:
    """Fold a text character by character; the result has the same length."""
    return "".join(map(fold_char, text))


def is_word_char(ch: str) -> bool:
    """Letters, digits and Han characters form runs; everything else separates them."""
    return ch.isalnum()


def literal_runs(text: str) -> list[str]:
    """The folded runs of word characters in ``text`` (what a literal match must find)."""
    runs: list[str] = []
    current: list[str] = []
    for ch in fold(text):
        if is_word_char(ch):
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def bigrams(run: str) -> list[str]:
    """Overlapping bigrams of one run; a one-character run is its own token."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def char_tokens(text: str) -> list[str]:
    """The ``chars`` view of a text: bigrams per run, runs separated by RUN_BREAK."""
    tokens: list[str] = []
    for run in literal_runs(text):
        if tokens:
            tokens.append(RUN_BREAK)
        tokens.extend(bigrams(run))
    return tokens


def _load_tokenizer() -> rjieba.Jieba:
    global _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            tokenizer = rjieba.Jieba()
            for line in USER_DICT.read_text(encoding="utf-8").splitlines():
                word, *rest = line.split() or [""]
                if word:
                    freq = int(rest[0]) if rest and rest[0].isdigit() else None
                    tokenizer.add_word(word, freq, rest[1] if len(rest) > 1 else None)
            _tokenizer = tokenizer
    return _tokenizer


def word_tokens(text: str) -> list[str]:
    """The ``words`` view: jieba search-mode words of the folded text, in order.

    Segmented by jieba-rs (rjieba): the same dictionary and algorithm as
    jieba, about 40 times faster. Tokens with inner punctuation (2023-12-30,
    a URL) are split at it, as jieba does.
    """
    tokenizer = _load_tokenizer()
    words: list[str] = []
    for word, _start, _end in tokenizer.tokenize(fold(text), mode="search", hmm=True):
        if all(map(is_word_char, word)):
            words.append(word)
        else:
            words.extend(piece for piece in _NON_WORD.split(word) if piece)
    return words


def analysis_version() -> str:
    """A fingerprint of everything that decides tokens; an index built under another is refused."""
    digest = hashlib.sha256()
    digest.update(b"analysis-v2|rjieba-" + importlib.metadata.version("rjieba").encode())
    digest.update(USER_DICT.read_bytes())
    return digest.hexdigest()[:16]
