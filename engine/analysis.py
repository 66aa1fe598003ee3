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
Before tokenising, pinyin readings that anti-copy sites inject after a
character — 教代会(huì), 困(kùn)难(nán) — are left out, so the words on
either side join up again (``without_readings``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import threading
import unicodedata
from functools import lru_cache
from itertools import filterfalse
from operator import add
from pathlib import Path

import opencc
import rjieba

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"

#: A token placed between runs so that no bigram phrase can span two runs.
RUN_BREAK = "\u2016"

_t2s = opencc.OpenCC("t2s")
_jieba_lock = threading.Lock()
_tokenizer: rjieba.Jieba | None = None
#: A maximal run of word characters. In Python's ``re`` a str ``\w`` is exactly ``isalnum()`` plus ``_``
#: (no combining marks, no other connector punctuation), so this is exactly a run of ``is_word_char``;
#: tests/engine/test_analysis.py checks it over every code point, as a Python or Unicode upgrade could change it.
_WORD_RUN = re.compile(r"[^\W_]+")
#: Joins jieba's words into one string for a single regex pass; any non-word character keeps them apart.
_WORD_SEPARATOR = " "
#: A pinyin reading in brackets right after a Han character (the brackets are folded to ASCII).
_READING = re.compile(r"(?<=[\u4e00-\u9fff])\(([a-zü\u00e0-\u00fc\u0101-\u01dc]{1,7})\)")
_TONE_MARKS = frozenset("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")
#: Neutral-tone syllables carry no tone mark; only these count as readings without one.
_NEUTRAL_SYLLABLES = frozenset({"le", "de", "men", "zi", "me", "ne", "ma", "ba", "zhe", "ge", "li", "tou", "shang"})
#: Bound on the characters the fold table remembers, so that hostile query text cannot grow it without end
#: (about 6 MB when full; real text uses a few thousand distinct characters).
_FOLD_TABLE_LIMIT = 1 << 16


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


class _FoldTable(dict[int, int]):
    """Code point → folded code point, for ``str.translate``, learnt from ``fold_char`` on first sight.

    ``str.translate`` looks every character up in C, so a text costs one dict
    lookup per character instead of a Python call per character; identity
    entries are stored too (a missing key would be an exception per character).
    Concurrent misses only store the same value twice, so no lock is needed.
    """

    __slots__ = ()

    def __missing__(self, code: int) -> int:
        folded = ord(fold_char(chr(code)))
        if len(self) < _FOLD_TABLE_LIMIT:
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Fold a text character by character; the result has the same length."""
    return text.translate(_FOLD_TABLE)


def _reading(match: re.Match[str]) -> str:
    syllable = match.group(1)
    return "" if syllable in _NEUTRAL_SYLLABLES or not _TONE_MARKS.isdisjoint(syllable) else match.group(0)


def without_readings(folded: str) -> str:
    """Folded text without injected pinyin readings: 教代会(huì) → 教代会, 困(kùn)难(nán) → 困难.

    A bracketed run of Latin letters counts as a reading only right after a
    Han character and with a tone mark (or as a toneless particle like le),
    so 工会(ACFTU) or 表(1) are kept.
    """
    return _READING.sub(_reading, folded) if "(" in folded else folded


def is_word_char(ch: str) -> bool:
    """Letters, digits and Han characters form runs; everything else separates them."""
    return ch.isalnum()


def literal_runs(text: str) -> list[str]:
    """The folded runs of word characters in ``text`` (what a literal match must find)."""
    return _WORD_RUN.findall(fold(text))


def bigrams(run: str) -> list[str]:
    """Overlapping bigrams of one run; a one-character run is its own token."""
    if len(run) < 2:
        return [run] if run else []
    return list(map(add, run, run[1:]))


def char_tokens(text: str) -> list[str]:
    """The ``chars`` view of a text: bigrams per run, runs separated by RUN_BREAK."""
    return _chars_of_folded(fold(text))


def _chars_of_folded(folded: str) -> list[str]:
    folded = without_readings(folded)
    tokens: list[str] = []
    # Inlines bigrams(): a function call per run is a measurable share of ingest.
    for run in _WORD_RUN.findall(folded):
        if len(run) > 1:
            tokens += map(add, run, run[1:])
        else:
            tokens.append(run)
        tokens.append(RUN_BREAK)
    if tokens:
        tokens.pop()  # a break goes between runs, not after the last
    return tokens


def segmenter() -> rjieba.Jieba:
    """The word segmenter behind ``word_tokens`` (with the user dictionary), loaded on first use.

    Public for the benchmarks, which time it alone and name its module.
    """
    return _load_tokenizer()


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


#: Code points folded ahead by ``warm_up``: ASCII and Latin, CJK punctuation, the CJK Unified Ideographs block and
#: the full-width forms — nearly every character of the archive (about 22,000 entries, 1.3 MB).
_WARM_RANGES = ((0x20, 0x250), (0x3000, 0x3040), (0x4E00, 0xA000), (0xFF00, 0xFFF0))


def warm_up() -> None:
    """Load the segmenter and fill the fold table now, opening nothing else (no index, thread or socket).

    The gunicorn master calls it before forking (deploy/gunicorn.conf.py), so
    the workers share one copy of the dictionary and the table copy-on-write
    instead of each building its own on its first requests.
    """
    _load_tokenizer()
    fold("".join(chr(code) for low, high in _WARM_RANGES for code in range(low, high)))


def word_tokens(text: str) -> list[str]:
    """The ``words`` view: jieba search-mode words of the folded text, in order.

    Segmented by jieba-rs (rjieba): the same dictionary and algorithm as
    jieba, about 40 times faster. Tokens with inner punctuation (2023-12-30,
    a URL) are split at it, as jieba does.
    """
    return _words_of_folded(fold(text))


def precise_words(text: str) -> list[str]:
    """jieba's precise cut of the folded text (each character in exactly one word), word characters only.

    Query-side only: the whole words of a term (职工代表大会, not also 职工, 代表, 大会),
    for weighing an expansion and for splitting a rare term into its words.
    """
    folded = without_readings(fold(text))
    return [w for w in _load_tokenizer().cut(folded, True) if w.isalnum()]


def token_views(text: str) -> tuple[list[str], list[str]]:
    """Both views of one text, ``(word_tokens(text), char_tokens(text))``, folding it once."""
    folded = fold(text)
    return _words_of_folded(folded), _chars_of_folded(folded)


def _words_of_folded(folded: str) -> list[str]:
    # cut_for_search yields the same words, in the same order, as tokenize(mode="search"), without a
    # (word, start, end) tuple per word. A word is kept whole when it is all word characters and is otherwise
    # split into its runs of them (nothing, for the usual punctuation word).
    words = _load_tokenizer().cut_for_search(without_readings(folded), True)
    if "" in words:  # kept as "" (all() of nothing is true), which neither path below would do
        return [piece for word in words for piece in (_WORD_RUN.findall(word) if word else [word])]
    whole = list(filter(str.isalnum, words))  # of a non-empty word: all(map(is_word_char, word))
    # Common case: every other word has no word character at all, so the whole words are the answer, and
    # jieba's own str objects are reused (a new str per word is most of the cost of the general path).
    if len(whole) == len(words) or not _WORD_RUN.search("".join(filterfalse(str.isalnum, words))):
        return whole
    # Some word mixes both (12-30, 3.5%): one pass over all words, the separator ending every run at a word's end.
    return _WORD_RUN.findall(_WORD_SEPARATOR.join(words))


def analysis_version() -> str:
    """A fingerprint of everything that decides tokens; an index built under another is refused."""
    digest = hashlib.sha256()
    digest.update(b"analysis-v3|readings|rjieba-" + importlib.metadata.version("rjieba").encode())
    digest.update(USER_DICT.read_bytes())
    return digest.hexdigest()[:16]
