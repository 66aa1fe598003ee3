"""decode_text: BOMs, UTF-16 without BOM, GB18030 vs Big5, newlines, binary."""

from __future__ import annotations

import codecs
import os

import pytest

from indexer.reading.encoding import BinaryContent, codec_for_label, decode_text
from tests.indexer.reading.variants import TRADITIONAL_SENTENCE

TEXT = "一、职工利益放在首位，在维护权益上下功夫。\n1、关心好特困职工。\n"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
    ],
)
def test_decodes_and_names_the_codec(data: bytes, codec: str) -> None:
    text, name = decode_text(data)
    assert (text, name) == (TEXT, codec)
    assert data.decode(name) == text  # the name is a codec that reproduces the text


def test_short_gbk_is_not_mistaken_for_big5() -> None:
    # "工会" in GBK is also valid Big5 ("馱頗"); charset-normalizer alone picks Big5.
    assert decode_text("工会".encode("gbk")) == ("工会", "gb18030")


def test_big5() -> None:
    text, name = decode_text(TRADITIONAL_SENTENCE.encode("big5"))
    assert text == TRADITIONAL_SENTENCE
    assert name == "big5"


def test_gb18030_only_characters() -> None:
    text = "镕基𠀀工会"  # 𠀀 needs GB18030's four-byte form
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_newlines_become_lf(newline: str) -> None:
    assert decode_text(TEXT.replace("\n", newline).encode("utf-8"))[0] == TEXT
    assert decode_text(TEXT.replace("\n", newline).encode("utf-16"))[0] == TEXT


def test_truncated_file_keeps_its_text() -> None:
    data = (TEXT * 50).encode("gb18030")[:-3]  # cut inside the last character
    text, name = decode_text(data)
    assert name == "gb18030"
    assert text.startswith(TEXT * 49)


def test_declared_charset_is_used_only_when_it_decodes() -> None:
    data = TEXT.encode("gb18030")
    assert decode_text(data, declared="gb2312") == (TEXT, "gb18030")
    # The page says gbk but was re-saved as UTF-8: the bytes win.
    assert decode_text(TEXT.encode("utf-8"), declared="gbk") == (TEXT, "utf-8")


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(4096),
        bytes(range(256)) * 4,
        b"PK\x03\x04" + bytes(100),
        bytes(range(1, 32)) * 50,
    ],
)
def test_binary_is_rejected(data: bytes) -> None:
    with pytest.raises(BinaryContent) as caught:
        decode_text(data)
    assert caught.value.reason.startswith("binary content")


def test_empty() -> None:
    assert decode_text(b"") == ("", "utf-8")


def test_codec_for_label() -> None:
    assert codec_for_label("GB2312") == "gb18030"
    assert codec_for_label("'gbk'") == "gb18030"
    assert codec_for_label("big5") == "big5hkscs"
    assert codec_for_label("UTF-8") == "utf-8"
    assert codec_for_label("iso-8859-1") == "cp1252"
    assert codec_for_label("utf-16") is None
    assert codec_for_label("no-such-charset") is None


def test_utf16_cut_at_an_odd_byte() -> None:
    text, name = decode_text((TEXT * 20).encode("utf-16-le")[:-1])
    assert name == "utf-16-le"
    assert text == (TEXT * 20)[:-1] + "\ufffd"
