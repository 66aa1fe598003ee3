"""Bytes of a text file → ``str``, with the name of the codec that decoded them.

Order of evidence, strongest first: a byte-order mark; NUL bytes (UTF-16 without a
BOM, or else binary); strict UTF-8; an encoding the file declares (HTML meta
charset); then the Chinese legacy encodings, GB18030 before Big5. GB18030 is used
for every GB label because it is a superset of GB2312 and GBK: files labelled
gb2312 routinely contain GBK-only characters.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from charset_normalizer import from_bytes

from indexer.reading.document import UnreadableFile


class BinaryContent(UnreadableFile):
    """The bytes are not text in any encoding we accept."""


# UTF-32 BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# fmt: off
_GB_LABELS = frozenset({
    "gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312", "gb_2312-80",
    "chinese", "iso-ir-58", "csiso58gb231280", "gb18030",
})
# fmt: on
_BIG5_LABELS = frozenset({"big5", "big-5", "cn-big5", "csbig5", "x-x-big5", "cp950", "big5-hkscs", "big5hkscs"})
# Browsers decode these labels as windows-1252 (WHATWG Encoding), so do we.
_LATIN_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "ascii", "us-ascii", "l1"})

# Big5 as written by different tools: plain Big5, Microsoft's cp950 and HKSCS add
# characters; the first that decodes strictly is kept.
_BIG5_CODECS = ("big5", "cp950", "big5hkscs")

# C0 controls other than TAB/LF/VT/FF/CR, and DEL: text files do not contain them.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Characters a Chinese or English document plausibly contains; used to accept
# BOM-less UTF-16, where random binary decodes into scattered code points.
_IMPLAUSIBLE = re.compile(
    r"[^\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u2bff\u3000-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")

# The 600 most frequent characters of jieba's dictionary plus their traditional
# forms (OpenCC s2t, and a few Taiwan variants). GB bytes read as Big5, or Big5 bytes
# read as GB18030, give mostly rare characters, so the share of these tells them apart.
_COMMON_CHARS = frozenset(
    "一是人了不在有大中国和为这上他个地年来我会以到时要出的生学说道民家子也成行下们于后就发自之对得主"
    "长可过天作分方用多你着部能市等业全里工公经本都而高政法面门动日进区事代那去心小同北定开产前其军还"
    "然起种所如现理机体表力好外与文当两实重新三么只山水关明从化平建又制南内西没此将员名手最东头者月间"
    "无安看见各城十相但已些正口通想度加第她合院物性战由位常点海意场武使次二向治因立数样身情入原问把路"
    "被并利石老教万知级量任江及应省资委务元美特期世湖回系比气汉总展电科金先声提品设或义王社很统处四首"
    "共马形己儿司太目基领队直计别女权话少流命至报米给打变果书清活几州华解议更称程今决张导术府才保交放"
    "管结师便走达族反再题色五京河接条规式县白它改风光运信受什组听布百济党指论强做取技黄神选记斯真却职"
    "号界件花类何眼兵传带空干农边据集联古广完质阳难增历史专官每住商即步认车台林必死游举线言皇土团收考"
    "求德叫近备研争非具李众连调感转笑革该持始英克士尔让拉思根格造较际亲单朝红型价校约器字段周亚深候则"
    "功属积快图火千准究往极育装许参半令吃观鱼精办像帝八复影告远群包整构料随划算象容示投势热值夫网望源"
    "息语股铁断派速怎需片爱律纪支早况病境证编越局推满且列觉服双未居除乐企引标确织初青志率项飞球节察龙"
    "响药站施均消客失轻存低甚般击曾防请离落显罗营足素视护副食创余照兴占巴虽洲村费易试星木黑左宝置跟央"
    "识维采六底宫房音环案批切斗富乡另倒若按查故突责严"
    "並亞佔來個們備傳價兒內兩別則創動務勢區卻參員問喫單嚴國圖團報場學宮實寶將專對導屬師帶幹幾廣張強後"
    "從復愛應戰採擊據數斷於時書會東條業極構樂標樣機權歷氣決沒況準滿漢濟無熱營爭爲爾現環產當發確種稱積"
    "節紀約紅級組結給統經維網線編縣總織羅羣義聯聲職聽臺與興舉華萬藥處號衆術裏裝見規視親覺觀計記設許試"
    "話該認語說調請論證識議護變讓責費資質車軍較輕轉辦農這連進遊運過達遠選還邊鄉鐵長門開間關陽隊際隨雖"
    "雙離難電響項領頭題類顯風飛餘馬體鬥魚麼黃點黨龍為眾裡群"
)
_SCORE_SAMPLE = 20_000  # characters; enough to tell GB from Big5, bounded cost on big files


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, codec name)``.

    ``declared`` is an encoding label the file itself states (HTML meta charset); it is
    trusted only when the bytes are not valid UTF-8 and decode under it without error.
    The returned name is a Python codec that decodes ``data`` to ``text`` (before CRLF
    and CR are turned into LF). Raises :class:`BinaryContent` for binary data.
    """
    if not data:
        return "", "utf-8"
    decoded = _decode_bom(data)
    if decoded is None:
        if b"\x00" in data:
            decoded = _decode_utf16_without_bom(data)
            if decoded is None:
                raise BinaryContent("binary content (NUL bytes)")
        else:
            decoded = _decode_8bit(data, declared)
    text, name = decoded
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 50):
        raise BinaryContent("binary content (control characters)")
    return normalise_newlines(text), name


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR (old Mac files) into LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def codec_for_label(label: str) -> str | None:
    """Map an encoding label from a file or header to the Python codec we decode it with.

    Returns ``None`` for labels that are unknown or cannot describe 8-bit HTML bytes
    (browsers ignore a meta charset of UTF-16 for the same reason).
    """
    key = label.strip().strip("\"'").lower()
    if key in _GB_LABELS:
        return "gb18030"
    if key in _BIG5_LABELS:
        return "big5hkscs"
    if key in _LATIN_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(key).name
    except (LookupError, ValueError):
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    return name


def _decode_bom(data: bytes) -> tuple[str, str] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            # The BOM is strong evidence: keep the text even if a few bytes are broken.
            return data.decode(codec, errors="replace"), codec
    return None


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without a BOM: ASCII characters put a NUL in every high byte."""
    # An odd length is a file cut short (an interrupted copy): decode what is whole
    # and mark the lost half character, as a BOM-carrying file would get U+FFFD.
    tail = ""
    if len(data) % 2:
        data, tail = data[:-1], "\ufffd"
    nul_at_odd = data[1::2].count(0)
    nul_at_even = data[0::2].count(0)
    order = ("utf-16-le", "utf-16-be") if nul_at_odd >= nul_at_even else ("utf-16-be", "utf-16-le")
    for codec in order:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:  # e.g. an unpaired surrogate: not this byte order
            continue
        if "\x00" in text:
            continue
        sample = text[:_SCORE_SAMPLE]
        if len(_IMPLAUSIBLE.findall(sample)) <= len(sample) // 10:
            return text + tail, codec
    return None


def _decode_8bit(data: bytes, declared: str | None) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        codec = codec_for_label(declared)
        if codec is not None and codec != "utf-8":
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                pass  # the label lies (page re-saved in another encoding): detect instead
    strict = _strict_chinese_candidates(data)
    if len(strict) == 1:
        return strict[0]
    if len(strict) == 2:
        return _pick_gb_or_big5(data, strict)
    return _decode_damaged(data)


def _strict_chinese_candidates(data: bytes) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    with contextlib.suppress(UnicodeDecodeError):
        found.append((data.decode("gb18030"), "gb18030"))
    for codec in _BIG5_CODECS:
        try:
            found.append((data.decode(codec), codec))
            break
        except UnicodeDecodeError:
            continue
    return found


def _common_share(text: str) -> float:
    """Share of CJK ideographs in ``text`` that are everyday characters."""
    sample = text[:_SCORE_SAMPLE]
    cjk = _CJK.findall(sample)
    if not cjk:
        return 0.0
    return sum(1 for ch in cjk if ch in _COMMON_CHARS) / len(cjk)


def _pick_gb_or_big5(data: bytes, candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """Both GB18030 and Big5 decode the bytes (common for short GB2312 text)."""
    (gb_text, gb_codec), (big5_text, big5_codec) = candidates
    gb_share, big5_share = _common_share(gb_text), _common_share(big5_text)
    if abs(gb_share - big5_share) >= 0.1:
        return (gb_text, gb_codec) if gb_share > big5_share else (big5_text, big5_codec)
    # Inconclusive (few or only rare ideographs): let charset-normalizer's chaos
    # measure decide between the two, and default to GB, the mainland archive's norm.
    best = from_bytes(data, cp_isolation=["gb18030", "big5"], preemptive_behaviour=False).best()
    if best is not None and best.encoding == "big5":
        return big5_text, big5_codec
    return gb_text, gb_codec


def _decode_damaged(data: bytes) -> tuple[str, str]:
    """Nothing decodes strictly: a truncated or spliced file, or not text at all.

    Keep the candidate with the fewest undecodable bytes if they are rare; a handful
    of U+FFFD is a faithful rendering of a damaged file, a flood of them is binary.
    """
    best_text, best_codec, best_bad = "", "", len(data) + 1
    for codec in ("utf-8", "gb18030", "big5hkscs"):
        text = data.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if bad < best_bad:
            best_text, best_codec, best_bad = text, codec, bad
    if best_bad > max(1, len(best_text) // 1000):
        raise BinaryContent("binary content or unknown encoding")
    return best_text, best_codec
