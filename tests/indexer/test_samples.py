"""The parse stage on the sample corpus: real, messy pages from template websites.

Every expectation here was checked by reading the sample files by hand.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from indexer.pipeline import ParsedFile, parse_file
from tests.conftest import SAMPLES

FILES = {
    "000": "000_ba0ac14e50997098.txt",
    "001": "001_c7826b0267fa0f66.txt",
    "002": "002_085839b73ea06a0d.txt",
    "003": "003_1b25769b943d4546.txt",
    "004": "004_0c8ed3b9e15e8dcd.txt",
}


@cache
def parsed(key: str) -> ParsedFile:
    return parse_file(SAMPLES / FILES[key], SAMPLES)


def all_text(key: str) -> str:
    result = parsed(key)
    return "\n".join([a.title for a in result.articles] + [p.text for p in result.paragraphs])


TITLES = {
    # 000 names no title at all: the opening words stand in for one.
    "000": ["今年以来我镇工会认真贯彻落实了党的十六大…"],
    "001": ["县总工会半年工作总结", "总工会某年上半年工作总结"],
    "002": [f"乡镇工会工作总结{n}" for n in range(1, 8)],
    "003": [f"工会工作半年总结篇{n}" for n in "一二三四五六"],
    "004": [
        "学校工会上半年工作总结",
        "建设局工会上半年工作总结",
        "上半年工会工作总结",
        "工会上半工作总结",
        "工会上半工作总结",  # "范文二：" names no title; it takes its collection's
        "最新年上半年工会工作总结一",
        "最新年上半年工会工作总结二",
    ],
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_each_file_splits_into_its_articles_with_their_titles(key: str) -> None:
    assert [a.title for a in parsed(key).articles] == TITLES[key]


BOILERPLATE = [
    "我要投稿",
    "下面是小编",
    "本DOCX文档由",
    "中词库网",
    "下一页",
    "相关文章",
    "欢迎大家借鉴与参考",
    "(模板6篇)",
    "(精选4篇)",
    "由整理",
    "本稿件属于",
    "精品合同推荐",
    "转载自",
    "以下就是整理的",
    "时间:2023-12-30",
    "`",
    "的'",
]


@pytest.mark.parametrize("key", sorted(FILES))
def test_no_boilerplate_survives(key: str) -> None:
    text = all_text(key)
    for junk in BOILERPLATE:
        assert junk not in text, f"{junk!r} survived in {FILES[key]}"
    # The "related articles" link list at the end of 002 is gone with its heading.
    assert "乡镇残联工作总结" not in text


# Sentences of the raw files that are site boilerplate, not the authors' content.
NOT_CONTENT = re.compile(
    r"我要投稿|下面是小编|本DOCX文档由|总结是对|这里给大家分享|以下就是整理的|相关文章|\d{2}-\d{2}$|^\[1\]|下一页|由整理"
    r"|总结怎么写才能|[(（](模板|精选)\d篇[)）]"
)


# Lines that only structure a template page: collection titles and article markers.
STRUCTURE = re.compile(
    r"^\s*((第\d+篇|篇[\d一二三四五六七八九十]+|范文[\d一二三四五六七八九十]*)[:：])?\s*\S{0,16}总结[\d一二三四五六七八九十]*\s*$|^\s*范文.{0,2}[:：]\s*$"
)


def _squash(text: str) -> str:
    """Compare ignoring white space, the anti-copy junk and the article markers (篇一:)."""
    text = re.sub(r"本稿件属于|精品合同推荐-*|（转载自，请保留此标记。）", "", text)
    text = re.sub(r"(第\d+篇|篇[\d一二三四五六七八九十]+|范文[\d一二三四五六七八九十]*)[:：]", "", text)
    text = text.replace("总结范文", "总结")
    text = re.sub(r"(\.{3,}|…+)\s*$", "", text)  # a site's excerpt of the opening, "…努力..."
    return re.sub(r"[\s`']", "", text)


def _raw_sentences(key: str) -> list[str]:
    raw = (SAMPLES / FILES[key]).read_text(encoding="utf-8")
    if key == "001":
        raw = re.sub(r"(^|\n)\d{1,2}、", "", raw)  # page numbers of the PDF export
    sentences = []
    for line in raw.splitlines():
        if NOT_CONTENT.search(line) or STRUCTURE.match(line):
            continue
        line = re.sub(r"^\s*[-•]\s+", "", line)  # list bullets of the web page
        for sentence in re.split(r"(?<=[。！？!?])", _squash(line)):
            if sentence:
                sentences.append(sentence)
    return sentences


@pytest.mark.parametrize("key", sorted(FILES))
def test_every_sentence_of_real_content_survives(key: str) -> None:
    kept = _squash(all_text(key).replace("\n", ""))
    # A title run together with the first sentence ("…总结篇一:…总结 半年来,…") is
    # stored as the article's title; the sentence must survive after it.
    missing = [
        s for s in _raw_sentences(key) if s not in kept and re.sub(r"^\S{0,40}?总结(\S{0,20}?总结)?", "", s) not in kept
    ]
    # A sentence that a hard wrap or a page break cut in two is whole in the
    # output, so look for it in the squashed text without line breaks.
    assert missing == []


def test_page_break_prefixes_of_the_pdf_export_are_repaired_into_whole_sentences() -> None:
    texts = [p.text for p in parsed("001").paragraphs]
    # "…实施“十\n2、一五”规划…" was cut by the page number "2、".
    assert any("团结动员全县职工在实施“十一五”规划、构建和谐社会中充分发挥工人阶级主力军作用。" in t for t in texts)
    assert any("正确认识和对待改革发展中利益格局的变化和利益关系的调整,坚定地站在" in t for t in texts)
    assert not any(re.match(r"\d{1,2}、", t) and len(t) > 300 for t in texts)


def test_hard_wrapped_lines_are_joined() -> None:
    texts = [p.text for p in parsed("003").paragraphs]
    assert (
        "我们认为，工会工作关键要突出几件有意义的、有影响力的工作，让人家看到我们工会在做什么，是实实在在的，言之有物的。"
        in texts
    )
    assert any("《企业工资集体协商协议书》" in t for t in texts)


def _path_of(key: str, start: str) -> list[str]:
    paragraph = next(p for p in parsed(key).paragraphs if p.text.startswith(start))
    return paragraph.section_path


SECTION_PATHS = [
    ("000", "维护职工合法权益是工会的最基本职能", ["一、职工利益放在首位，在维护权益上下功夫"]),
    ("000", "1、关心好特困职工。", ["一、职工利益放在首位，在维护权益上下功夫", "1、关心好特困职工"]),
    (
        "000",
        "年初召开了全镇基层工会主席会议",
        ["二、突出重点，在提高质量上下功夫", "1、认真贯彻落实县总十一届八次全委扩大会议精神"],
    ),
    ("000", "1、进一步加大非公有制企业工会组建力度", ["下半年工作重点"]),
    ("001", "省委工青妇工作会议后", ["一、贯彻落实省委工青妇工作会议精神"]),
    ("001", "为弘扬劳模精神", ["一、学习劳模 规范管理"]),
    ("002", "全镇8.2万人", ["一、基本情况"]),
    ("002", "1、完善信访渠道", ["(三)抓维权帮扶,强化服务机制"]),
    (
        "002",
        "维护职工合法权益是工会的职责,为更好地履行职能",
        ["(三)抓维权帮扶,强化服务机制", "1、完善信访渠道,突出维权主业"],
    ),
    ("003", "人大组织的《劳动法》", None),  # joined into the item before it, see below
    ("003", "1、加大建会力度", ["四、20xx年度重点工作打算"]),
    ("004", "以教代会为主要形式", ["2、发挥民主监督作用，落实教职工民主权利"]),
    ("004", "第一，我会在春节和五一期间", ["五、坚持弘扬劳模精神，进一步加强对劳模的管理"]),
]


@pytest.mark.parametrize(("key", "start", "path"), SECTION_PATHS)
def test_paragraphs_carry_their_section_path(key: str, start: str, path: list[str] | None) -> None:
    if path is None:
        assert not any(p.text.startswith(start) for p in parsed(key).paragraphs)
        assert _path_of(key, "2、参与了执法检查。今年3月27日") == [
            "一、职工利益放在首位，在维护权益上下功夫",
            "2、参与了执法检查",
        ]
    else:
        assert _path_of(key, start) == path


def test_headings_are_paragraphs_of_their_own_marked_as_headings() -> None:
    headings = [p for p in parsed("000").paragraphs if p.is_heading]
    assert [h.text for h in headings][:2] == [
        "一、职工利益放在首位，在维护权益上下功夫。",
        "二、突出重点，在提高质量上下功夫。",
    ]
    assert all(h.quality < 0.2 for h in headings)


# (title, org_level, org_name, township, period, year) for every article, checked by hand.
ENRICHMENT = {
    "000": [("今年以来我镇工会认真贯彻落实了党的十六大…", "乡镇街道", "", "", "上半年", None)],
    "001": [
        ("县总工会半年工作总结", "县区", "顺昌县总工会", "", "上半年", None),
        ("总工会某年上半年工作总结", "县区", "", "", "上半年", None),
    ],
    "002": [
        ("乡镇工会工作总结1", "乡镇街道", "", "", "全年", None),  # "20xx年度": the year is blanked
        ("乡镇工会工作总结2", "乡镇街道", "", "", "上半年", None),
        ("乡镇工会工作总结3", "乡镇街道", "", "", "全年", None),  # "xx乡工会": no township
        ("乡镇工会工作总结4", "乡镇街道", "", "", "全年", None),
        ("乡镇工会工作总结5", "乡镇街道", "", "", "全年", None),
        # Opens "20xx年,寮步镇总工会…" and says 今年 throughout: a whole-year report (未知 would mean no evidence).
        ("乡镇工会工作总结6", "乡镇街道", "寮步镇总工会", "寮步镇", "全年", None),
        ("乡镇工会工作总结7", "乡镇街道", "", "", "全年", None),
    ],
    "003": [
        # The collection's title says 半年, the body reports 一年来 / 全年共…: the body wins.
        ("工会工作半年总结篇一", "企业厂矿", "物管中心工会", "", "全年", None),
        ("工会工作半年总结篇二", "乡镇街道", "", "", "上半年", None),
        ("工会工作半年总结篇三", "乡镇街道", "鹿苑镇工会", "鹿苑镇", "上半年", None),
        ("工会工作半年总结篇四", "县区", "", "", "上半年", None),
        # The collection's title says 半年; the body says 今年以来 and reports work up to September (到9月).
        ("工会工作半年总结篇五", "乡镇街道", "", "", "全年", None),
        ("工会工作半年总结篇六", "乡镇街道", "", "", "上半年", None),  # "xx镇工会"
    ],
    "004": [
        ("学校工会上半年工作总结", "学校教育", "", "", "上半年", None),  # "202_年上半年"
        # 建设局 is a kind of bureau, not a name: no org_name.
        ("建设局工会上半年工作总结", "机关事业", "", "", "上半年", None),
        ("上半年工会工作总结", "机关事业", "", "", "上半年", None),
        ("工会上半工作总结", "学校教育", "", "", "上半年", None),
        ("工会上半工作总结", "机关事业", "", "", "上半年", None),
        ("最新年上半年工会工作总结一", "学校教育", "", "", "上半年", None),
        ("最新年上半年工会工作总结二", "市", "", "", "上半年", None),
    ],
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_enrichment_of_every_article(key: str) -> None:
    got = [(a.title, a.org_level, a.org_name, a.township, a.period, a.year) for a in parsed(key).articles]
    assert got == ENRICHMENT[key]


def test_facet_values_record_where_they_came_from() -> None:
    article = parsed("003").articles[2]
    assert article.origins["township"] == "text"
    assert article.origins["period"] == "title"
    assert parsed("001").articles[0].origins["org_name"] == "text"
    assert parsed("004").articles[1].origins["org_level"] == "title"


def test_the_publish_date_of_the_page_is_kept() -> None:
    assert {a.publish_date for a in parsed("002").articles} == {"2023-12-30"}
    assert parsed("000").articles[0].publish_date is None


def test_placeholders_are_kept_in_the_text_and_recorded() -> None:
    assert parsed("000").articles[0].placeholders == ["××", "202_"]
    assert "××花炮厂" in all_text("000")
    slots = parsed("001").articles[1].placeholders
    assert "传_次" in slots  # "共有媒体宣传次": the number was blanked


def test_paragraphs_carry_the_facets_and_topics_of_their_article() -> None:
    result = parsed("003")
    article = result.articles[2]
    paragraphs = [p for p in result.paragraphs if p.article_id == article.article_id]
    assert {p.township for p in paragraphs} == {"鹿苑镇"}
    welfare = next(p for p in paragraphs if p.text.startswith("1、关心好特困职工"))
    assert "困难帮扶与送温暖" in welfare.topics
    assert "困难帮扶与送温暖" in article.topics


def test_a_summary_copied_between_sites_gets_the_same_duplicate_keys() -> None:
    # 000 and article 2 of 002 are the same summary from two template sites,
    # with different punctuation width and 05年 blanked to xx年.
    original, copy = parsed("000").articles[0], parsed("002").articles[1]
    assert original.duplicate_key == copy.duplicate_key
    keys_000 = {p.duplicate_key for p in parsed("000").paragraphs if not p.is_heading}
    keys_002 = {p.duplicate_key for p in parsed("002").paragraphs if p.article_id == copy.article_id}
    assert len(keys_000 & keys_002) >= 12
    assert parsed("000").articles[0].duplicate_key != parsed("003").articles[0].duplicate_key


def test_article_ids_are_stable_across_reparsing() -> None:
    again = parse_file(SAMPLES / FILES["002"], SAMPLES)
    assert [a.article_id for a in again.articles] == [a.article_id for a in parsed("002").articles]
    assert again.paragraphs[5].paragraph_id == parsed("002").paragraphs[5].paragraph_id


def test_sample_paths_are_stored_relative_to_the_working_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLES.parent)
    result = parse_file(Path("samples") / FILES["000"], Path("samples"))
    assert result.source.path == "samples/" + FILES["000"]
