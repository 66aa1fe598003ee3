"""Counting the characters of a range of pages: the same count as finding each of them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.textstats import count_in_pages

CHARS = list("工会，。、（）ab1 ,.\n…“”—Ａ가ぁ㐀䶵一龥鿿\u33ff\ua000\U00020001\U0001f600\ud800\udc00")


@given(st.text(alphabet=st.sampled_from(CHARS), max_size=40))
def test_han_counts_are_the_counts_of_each_han_character(text: str) -> None:
    assert count_in_pages(text, 0x34, 0x9F) == len(re.findall(r"[\u3400-\u9fff]", text))
    assert count_in_pages(text, 0x4E, 0x9F) == len(re.findall(r"[\u4e00-\u9fff]", text))


def test_characters_outside_the_basic_plane_are_never_counted() -> None:
    assert count_in_pages("\U00020001\U0001f600", 0x00, 0xD7) == 0
    with pytest.raises(ValueError):
        count_in_pages("工", 0xD0, 0xE0)  # surrogate pages
