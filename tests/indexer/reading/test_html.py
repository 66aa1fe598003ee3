"""The HTML reader: content container, furniture, layout, encodings, metadata."""

from __future__ import annotations

from pathlib import Path

from indexer.reading import RawLine, read_source
from indexer.reading.html import read_html

LONG = "镇工会把维护职工合法权益作为第一职责，全年走访困难职工一百二十户，发放慰问金三万元。" * 3


def texts(data: bytes) -> list[str]:
    return [line.text for line in read_html(data).lines]


def test_aspnet_form_wrapping_the_whole_page_is_not_furniture() -> None:
    page = f"""<html><body><form id="form1" method="post">
      <div class="menu">首页 | 动态</div><div id="zoom"><p>{LONG}</p><p>第二段。</p></div>
      <div id="footer">版权所有</div></form></body></html>"""
    assert texts(page.encode()) == [LONG, "第二段。"]


def test_article_header_is_kept_site_header_is_not() -> None:
    page = f"""<html><body><header>网站标题 导航</header>
      <article><header><h1>镇工会2004年上半年工作总结</h1><p>发布时间：2004-07-15</p></header>
      <p>{LONG}</p></article><footer>备案号</footer></body></html>"""
    assert read_html(page.encode()).lines == [
        RawLine("镇工会2004年上半年工作总结", 1),
        RawLine("发布时间：2004-07-15"),
        RawLine(LONG),
    ]


def test_br_splits_lines_and_inline_markup_does_not() -> None:
    page = (
        "<html><body><div class='content'><p>第一行<br>第<b>二</b>行<br/><span>第三行</span></p>"
        f"<p>{LONG}</p></div></body></html>"
    )
    assert texts(page.encode()) == ["第一行", "第二行", "第三行", LONG]


def test_source_whitespace_collapses_but_author_spaces_stay() -> None:
    page = f"<html><body><p>\n   　　今年以来，\n   镇工会&nbsp;&nbsp;认真   贯彻  </p><p>{LONG}</p></body></html>"
    assert texts(page.encode())[0] == "　　今年以来， 镇工会\xa0\xa0认真 贯彻"


def test_pre_keeps_its_lines() -> None:
    page = "<html><body><pre>一、概况\n  （一）组织\n</pre></body></html>"
    assert texts(page.encode()) == ["一、概况", "（一）组织"]


def test_hidden_elements_and_comments_are_dropped() -> None:
    page = f"""<html><body><p style="display: none">隐藏</p><div hidden>也隐藏</div>
      <!-- 注释 --><p>{LONG}</p></body></html>"""
    assert texts(page.encode()) == [LONG]


def test_small_content_class_does_not_hide_the_page() -> None:
    # A "content" element with a sliver of the text is not the article container.
    page = f"<html><body><span class='content-title'>标题</span><p>{LONG}</p><p>{LONG}</p></body></html>"
    assert texts(page.encode()) == ["标题", LONG, LONG]


def test_meta_charset_that_lies_is_overruled() -> None:
    page = f"<html><head><meta charset='gb2312'><title>总结</title></head><body><p>{LONG}</p></body></html>"
    extracted = read_html(page.encode("utf-8"))
    assert [line.text for line in extracted.lines] == [LONG]
    assert extracted.encoding == "utf-8"
    assert extracted.title == "总结"


def test_gbk_page_without_meta_is_detected() -> None:
    page = f"<html><head><title>总结</title></head><body><p>{LONG}</p></body></html>"
    extracted = read_html(page.encode("gbk"))
    assert [line.text for line in extracted.lines] == [LONG]
    assert extracted.encoding == "gb18030"


def test_title_and_date_from_meta_when_there_is_no_title_element() -> None:
    page = (
        '<html><head><meta name="ArticleTitle" content="镇工会工作总结">'
        '<meta property="article:published_time" content="2019-01-02T08:00:00+08:00"></head>'
        f"<body><p>{LONG}</p></body></html>"
    )
    extracted = read_html(page.encode())
    assert extracted.title == "镇工会工作总结"
    assert extracted.publish_date == "2019-01-02T08:00:00+08:00"


def test_word_web_page_saved_as_doc_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "template.doc"
    page = f'<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><p class=MsoNormal>{LONG}<o:p></o:p></p></body></html>'
    path.write_bytes(page.encode("gb18030"))
    document = read_source(path)
    assert [line.text for line in document.lines] == [LONG]
    assert document.source.format == "doc"
    assert document.source.encoding == "gb18030"


# --- pages a word processor wrote: page furniture, footnotes, tables ---


def test_libreoffice_running_header_footer_and_footnote() -> None:
    page = f"""<html><body>
      <div title="header"><p align="center">鹿苑镇总工会文件</p></div>
      <p class="western">{LONG}<a class="sdfootnoteanc" name="sdfootnote1anc" href="#sdfootnote1sym"><sup>1</sup></a></p>
      <p class="western">第二段。</p>
      <div id="sdfootnote1"><p class="sdfootnote-western"><a class="sdfootnotesym" name="sdfootnote1sym"
        href="#sdfootnote1anc">1</a>数据截至2022年12月20日。</p></div>
      <div title="footer"><p align="center">— <sdfield type=PAGE subtype=RANDOM format=PAGE>1</sdfield> —</p></div>
      </body></html>"""
    # The note's mark leaves the sentence; the note follows the text as the .docx reader writes it.
    assert texts(page.encode()) == [LONG, "第二段。", "注1：数据截至2022年12月20日。"]


def test_word_web_page_footnotes_and_header() -> None:
    page = f"""<html><body><div class=WordSection1>
      <div style='mso-element:header' id=h1><p class=MsoHeader>某某县总工会</p></div>
      <p class=MsoNormal>{LONG}<a style='mso-footnote-id:ftn1' href="#_ftn1" name="_ftnref1" title=""><span
        class=MsoFootnoteReference>[1]</span></a></p>
      <p class=MsoNormal>第二段<a href="#_ftn2" name="_ftnref2">[2]</a>。</p></div>
      <div style='mso-element:footnote-list'><hr align=left size=1 width="33%">
      <div style='mso-element:footnote' id=ftn1><p class=MsoFootnoteText><a style='mso-footnote-id:ftn1'
        href="#_ftnref1" name="_ftn1" title="">[1]</a> 第一条注释。</p></div>
      <div style='mso-element:footnote' id=ftn2><p class=MsoFootnoteText><a href="#_ftnref2" name="_ftn2">[2]</a>
        第二条注释。</p></div></div></body></html>"""
    assert texts(page.encode()) == [LONG, "第二段。", "注1：第一条注释。", "注2：第二条注释。"]


def test_an_in_page_link_is_not_a_footnote() -> None:
    page = f'<html><body><p>{LONG}<a href="#top">返回顶部</a></p><p id="top">第二段。</p></body></html>'
    assert texts(page.encode()) == [LONG + "返回顶部", "第二段。"]


def test_data_table_reads_one_line_per_row() -> None:
    page = f"""<html><body><p>{LONG}</p>
      <table border="1"><caption>帮扶资金</caption>
        <tr><th>项目</th><th>户数</th></tr>
        <tr><td><p>春节送温暖</p></td><td><p>86</p></td></tr>
        <tr><td>金秋助学</td><td></td></tr></table>
      <p>上表为帮扶情况。</p></body></html>"""
    assert texts(page.encode()) == [
        LONG,
        "帮扶资金",
        "项目；户数。",
        "春节送温暖；86。",
        "金秋助学。",
        "上表为帮扶情况。",
    ]
    assert all(line.heading_level is None for line in read_html(page.encode()).lines)


def test_layout_tables_keep_their_paragraphs() -> None:
    # Old government sites lay the whole page out in tables: the article is a cell of paragraphs.
    article = "".join(f"<p>{LONG}{n}</p>" for n in range(8))
    page = f"""<html><body><table><tr><td>首页</td><td>{article}</td></tr></table>
      <table><tr><td><table><tr><td>甲</td><td>乙</td></tr></table></td><td>丙</td></tr></table></body></html>"""
    lines = texts(page.encode())
    assert lines[1:9] == [f"{LONG}{n}" for n in range(8)]
    assert lines[-2:] == ["甲；乙。", "丙"]
