"""RTF list numbers read as the author saw them (the rendered \\listtext), not re-rendered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.reading import read_source
from indexer.reading.office import find_soffice
from indexer.reading.rtf_lists import literal_list_numbers

# As LibreOffice writes it: the level templates in the ANSI code page only ("、" lost as "?",
# "（" as "("), the rendered number in \listtext, \ls after it, levels followed by nothing.
LIBREOFFICE_RTF = rb"""{\rtf1\ansi\deff0{\fonttbl{\f0\fnil\fcharset0 Noto Sans CJK SC;}}
{\stylesheet{\s0 Normal;}{\s1\sbasedon0\ilvl0\outlinelevel0\b Heading 1;}{\s2\sbasedon0\ilvl1\outlinelevel1\b Heading 2;}}
{\*\listtable{\list\listtemplateid1
{\listlevel\levelnfc35\levelstartat1\levelfollow2{\leveltext \'02\'00\'3f;}{\levelnumbers\'01;}\fi0\li0}
{\listlevel\levelnfc35\levelstartat1\levelfollow2{\leveltext \'03\'28\'01\'29;}{\levelnumbers\'02;}\fi0\li0}\listid1}
}{\listoverridetable{\listoverride\listid1\listoverridecount0\ls1}}
\pard\plain \s1\ilvl0\outlinelevel0\b{\listtext\pard\plain  \u19968\'3f\u12289\'3f\tab}\ls1 \li0{\u22522\'3f\u26412\'3f}
\par \pard\plain \s2\ilvl1\outlinelevel1\b{\listtext\pard\plain  \u65288\'28\u19968\'3f\u65289\'29\tab}\ls1 \li0{\u32452\'3f\u32455\'3f}
\par \pard\plain \s0 {\u27491\'3f\u25991\'3f}
\par }"""

# As Word writes it, in GBK: \ls before \listtext, a level followed by a tab, and a bullet list.
WORD_RTF = rb"""{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 \'cb\'ce\'cc\'e5;}{\f1\fbidi\froman\fcharset2 Symbol;}}
{\stylesheet{\s0 Normal;}{\s1\ls1\outlinelevel0\b Heading 1;}}
{\*\listtable{\list\listtemplateid5{\listlevel\levelnfc39\levelstartat1\levelfollow0{\leveltext\'02\'00\u12289 ?;}{\levelnumbers\'01;}}\listid7}
{\list\listtemplateid6{\listlevel\levelnfc23\levelfollow1{\leveltext\'01\u-3913 ?;}{\levelnumbers;}\f1}\listid8}}
{\*\listoverridetable{\listoverride\listid7\listoverridecount0\ls1}{\listoverride\listid8\listoverridecount0\ls2}}
\pard\plain\s1\ls1\outlinelevel0\b\f0{\listtext\pard\plain\f0 \'d2\'bb\'a1\'a2\tab}\'bb\'f9\'b1\'be\'c7\'e9\'bf\'f6\par
\pard\plain\s0\ls2\f0{\listtext\pard\plain\f1 \'b7\tab}\'b9\'a4\'d7\'f7\par
\pard\plain\s0\f0 \'b9\'a4\'d7\'f7\par
}"""


def test_without_listtext_the_file_is_untouched() -> None:
    data = rb"{\rtf1\ansi{\*\listtable{\list\listid1}}\pard\ls1 text\par}"
    assert literal_list_numbers(data) is data


def test_rendered_numbers_become_text_and_lists_are_left() -> None:
    out = literal_list_numbers(LIBREOFFICE_RTF)
    assert rb"{\plain \u19968\'3f\u12289\'3f}" in out  # the label, followed by nothing (\levelfollow2)
    assert b"\\listtext" not in out
    body = out[out.index(b"\\listoverridetable") :].split(b"}}", 1)[1]
    assert not re.search(rb"\\ls\d", body)  # no paragraph is numbered a second time
    assert out.count(b"\\ls1") == 1  # the list table itself is kept


def test_level_follow_decides_what_comes_after_the_number() -> None:
    out = literal_list_numbers(WORD_RTF)
    assert rb"{\plain\f0 \'d2\'bb\'a1\'a2\tab }" in out  # \levelfollow0: a tab
    assert rb"{\plain \u8226 ? }" in out  # a bullet, then a space (\levelfollow1)
    assert not re.search(rb"\\ls\d", out[out.index(b"{\\stylesheet") : out.index(b"{\\*\\listtable")])


def test_unbalanced_rtf_is_passed_through() -> None:
    data = rb"{\rtf1{\listtext 1.\tab}text\par"
    assert literal_list_numbers(data) is data


needs_libreoffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


@needs_libreoffice
@pytest.mark.parametrize(("name", "data"), [("libreoffice", LIBREOFFICE_RTF), ("word", WORD_RTF)])
def test_numbered_headings_of_an_rtf_read_as_written(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / f"{name}.rtf"
    path.write_bytes(data)
    lines = [(line.heading_level, re.sub(r"\s", "", line.text)) for line in read_source(path).lines]
    lines = [line for line in lines if line[1]]
    if name == "libreoffice":
        assert lines == [(1, "一、基本"), (2, "（一）组织"), (None, "正文")]
    else:
        assert lines == [(1, "一、基本情况"), (None, "•工作"), (None, "工作")]
