"""Page zones: what the site added goes, the author's text stays — by class of debris, not by wording."""

from __future__ import annotations

import pytest

from indexer.cleaning import clean_lines
from indexer.cleaning.zones import classify, debris_rule, strip_debris_sentences, strip_inline_debris, wrap_width
from indexer.folding import fold
from indexer.reading import RawLine

BODY = "今年以来，我镇工会在镇党委和上级工会的领导下，紧紧围绕全镇中心工作，认真履行各项职能，取得了较好成绩。"
HEADING = "一、加强组织建设，扩大工会覆盖面"
BODY2 = "全年新建企业工会十二家，发展会员六百余人，基层工会规范化建设合格率达到百分之九十以上。"


def kept(lines: list[str]) -> list[str]:
    return [line.text for line in clean_lines([RawLine(text, None) for text in lines]).lines]


def roles(lines: list[str]) -> list[tuple[str, str]]:
    return [(z.role, z.text) for z in classify([(text, None, False) for text in lines])]


@pytest.mark.parametrize(
    "intro",
    [
        # The same class in other words, other orders, other scripts.
        "年终将至，写一份总结是每个工作者的必修课。本站编辑为大家搜集了几篇优秀范文，欢迎参考。",
        "總結是對過去工作進行回顧的書面材料，怎麼寫才好呢？下面是小編為您精選的5篇範文，希望對你有所幫助。",
        "【导读】一年的工作结束了，小编整理了社区工会工作总结，供大家借鉴。",
    ],
)
def test_an_editors_intro_goes_whatever_its_wording(intro: str) -> None:
    assert kept([intro, "社区工会工作总结", BODY]) == ["社区工会工作总结", BODY]


def test_an_intro_run_into_the_text_of_a_one_line_page_goes_and_the_text_stays() -> None:
    intro = "总结是对过去工作的回顾与分析的书面材料。那么怎么写出好的总结呢？下面是小编为大家整理的范文，仅供参考。"
    line = intro + BODY * 8  # one line of over 400 characters: a page run together
    assert kept([line]) == [BODY * 8]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("您的位置：首页 > 范文大全 > 工作总结 > 工会工作总结", "navigation"),
        ("發布時間：2021-03-04 09:12  閱讀：1.3萬次", "byline"),
        ("来源：某某文库  作者：网友投稿", "byline"),
        ("2023-08-01 15:20:11", "date stamp"),
        ("温馨提示：", "site furniture"),
        ("本文档由网友上传，如需下载请成为VIP会员，版权归原作者所有。", "download notice"),
        ("关键词：工会工作总结  范文", "byline"),
        ("展开全文", "site furniture"),
        ("这是一篇关于社区工会工作总结的文章，欢迎阅读。", "editor intro"),
    ],
)
def test_page_furniture_is_named_by_its_class(line: str, rule: str) -> None:
    assert debris_rule(fold(line)) == rule


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "通过工会网站和微信公众号宣传职工先进事迹，营造了学习先进的浓厚氛围。",
        "我们还为大家办理了职工医疗互助保险，希望以此减轻职工的就医负担。",
        "各位领导、同志们：",
    ],
)
def test_the_authors_sentences_are_no_debris(line: str) -> None:
    assert debris_rule(fold(line)) is None


@pytest.mark.parametrize(
    ("line", "clean"),
    [
        (
            "组织职工开展健步走……此处隐藏1234个字……活动，参加人数达三百人。",
            "组织职工开展健步走活动，参加人数达三百人。",
        ),
        ("全年慰问困难职工---此處隱藏88字,下载后查看---五十户。", "全年慰问困难职工五十户。"),
        ("深入开展“安康杯”竞赛……(某某网省略200字，正式会员可完整阅读)……", "深入开展“安康杯”竞赛"),
        ("工会组织建设第2页共18页不断加强", "工会组织建设不断加强"),
        ("服务职工(www.example.com.cn)群众", "服务职工群众"),
        ("example.net:工会经费使用规范", "工会经费使用规范"),
    ],
)
def test_inline_debris_is_cut_and_the_sentence_stays(line: str, clean: str) -> None:
    assert strip_inline_debris(line) == clean


def test_inline_rules_do_not_eat_the_text_before_a_marker() -> None:
    line = "为了积极应对经济下行给职工生活带来的影响，组织开展大调研……此处隐藏2000个字……"
    assert strip_inline_debris(line) == "为了积极应对经济下行给职工生活带来的影响，组织开展大调研"


def test_the_header_zone_drops_stray_words_but_keeps_titles_headings_and_salutations() -> None:
    lines = ["某某文秘网", "分享", "2024", "工会", "社区工会工作总结", "各位领导：", HEADING, BODY]
    assert kept(lines) == ["社区工会工作总结", "各位领导：", HEADING, BODY]


def test_short_lines_after_the_first_sentence_are_the_authors() -> None:
    lines = ["社区工会工作总结", BODY, "存在问题", BODY2, "某某社区工会", "2024年12月"]
    assert kept(lines) == lines


def test_collection_titles_and_repeated_titles_never_become_text() -> None:
    zoned = roles(["社区工会工作总结(通用6篇)", "社区工会工作总结", "社区工会工作总结", BODY])
    assert [role for role, _ in zoned] == ["debris", "title", "debris", "content"]


def test_a_numbered_heading_that_ends_in_a_genre_word_is_a_heading() -> None:
    zoned = roles(["区总工会工作总结", "一、上半年工作总结", BODY])
    assert zoned[1] == ("content", "一、上半年工作总结")


def test_a_line_running_on_from_an_open_sentence_is_never_a_title() -> None:
    zoned = roles(["区总工会工作总结", BODY, "现将有关情况和明年打算", "报告如下：", BODY2])
    assert ("title", "报告如下：") not in zoned


def test_wrap_width_is_found_only_in_hard_wrapped_documents() -> None:
    wrapped = [BODY[i : i + 24] for i in range(0, len(BODY), 24)] * 3
    assert wrap_width(wrapped) == 48
    assert wrap_width([BODY, HEADING, BODY2, "存在问题", BODY + BODY2]) is None


def test_the_wrapped_rest_of_a_debris_line_is_debris_too() -> None:
    # A PDF export wrapped a notice like the text around it: its last piece has no cue of its own.
    notice = "本文档由某某文库用户上传，如需下载请联系客服，祝您工作顺"
    wrapped_body = [BODY2[i : i + 27] for i in range(0, len(BODY2), 27)]
    lines = ["社区工会工作总结", *wrapped_body, *wrapped_body, notice, "利！", *wrapped_body]
    assert kept(lines) == ["社区工会工作总结", BODY2, BODY2, BODY2]


def test_sentence_runs_are_dropped_only_where_they_satisfy_a_rule() -> None:
    text, rule = strip_debris_sentences(BODY + BODY2)
    assert (text, rule) == (BODY + BODY2, "")


def test_a_government_site_page_keeps_only_the_summary_and_its_sign_off() -> None:
    page = [
        "某某镇人民政府网",
        "首页 | 政务公开 | 工作动态 | 专题专栏",
        "【字体：大 中 小】  打印本页  关闭窗口",
        "某某镇总工会2023年上半年工作总结",
        "发布日期：2023-07-12  来源：镇总工会  浏览次数：326",
        "扫一扫在手机打开当前页",
        BODY,
        HEADING,
        BODY2,
        "（本文来源于网络，如有侵权请联系删除）",
        "某某镇总工会",
        "2023年7月10日",
        "上一篇：某某镇妇联工作总结",
        "下一篇：某某镇团委工作计划",
        "本文地址：http://www.example.gov.cn/art/2023/7/12/art_1.html",
        "版权所有：某某镇人民政府  技术支持：某某网络",
    ]
    assert kept(page) == ["某某镇总工会2023年上半年工作总结", BODY, HEADING, BODY2, "某某镇总工会", "2023年7月10日"]


def test_a_running_header_between_two_halves_of_a_sentence_goes() -> None:
    lines = [
        "某某镇总工会2023年工作总结",
        BODY,
        "全年新建企业工会十二家，发展会员",
        "某某镇总工会2023年工作总结",
        "- 2 -",
        "六百余人。",
    ]
    assert kept(lines) == ["某某镇总工会2023年工作总结", BODY, "全年新建企业工会十二家，发展会员六百余人。"]
