"""Facet inference on made-up summaries in the style of real pages (never dev-set text).

One test per mechanism: the writer (self-reference, superiors masked, title and
opening names, sub-unions), places (gazetteer-validated and repeated), year and
period by evidence (title year kept as a label), and the genre classifiers.
"""

from __future__ import annotations

from indexer.enrichment import facets, places
from indexer.enrichment.evidence import ArticleText
from indexer.enrichment.genre import doc_type, title_heads
from indexer.enrichment.timing import period, year, year_label
from indexer.enrichment.writer import distinctive, names_in, org_level, org_type, writer_name


def _infer(title: str, *texts: str) -> dict[str, object]:
    return facets.infer(title, list(texts)).values


def test_the_writer_speaks_of_itself_and_superiors_do_not_count() -> None:
    values = _infer(
        "",
        "今年以来,青禾镇工会在镇党委的领导下,在县总工会的指导下,认真履行职责。",
        "青禾镇工会组织全镇职工开展技能比武,我镇共有职工3200人。",
    )
    assert values["org_level"] == "乡镇街道"
    assert values["org_name"] == "青禾镇工会"


def test_a_superior_named_often_is_still_not_the_writer() -> None:
    text = ArticleText.of(
        "", ["白沙镇总工会在宁州市总工会的关心支持下,按照宁州市总工会的部署,做好工作。我镇职工之家建设有序推进。"]
    )
    unit = writer_name(text, "乡镇街道")
    assert unit is not None and unit[0].name == "白沙镇总工会"


def test_names_that_are_only_unit_types_or_verbs_are_not_names() -> None:
    assert distinctive("学校工会") is None
    assert distinctive("医院工会") is None
    assert distinctive("履行工会") is None
    assert [u.name for u, _ in names_in("荣获市总工会表彰,关于供电局工会的通知")] == []
    assert distinctive("金山公司工会") == "金山"


def test_sub_unions_and_provincial_federations_are_never_the_writer() -> None:
    assert distinctive("内科门诊部分工会") is None
    assert distinctive("江南省总工会") is None


def test_a_title_that_starts_with_a_unit_names_the_writer() -> None:
    text = ArticleText.of("长岭三中职工书屋建设总结", ["为提高教师素质,我校建成职工书屋一个。"])
    found = writer_name(text)
    assert found is not None and found[0].name == "长岭三中" and found[1] == "title"
    assert org_level(text, found[0])[0] == "学校教育"  # type: ignore[index]


def test_a_generic_title_points_at_the_body_unit_of_that_type() -> None:
    text = ArticleText.of("县总工会半年工作总结", ["一是下发云阳县总工会关于开展竞赛的通知,各基层工会积极响应。"])
    found = writer_name(text, "县区")
    assert found is not None and found[0].name == "云阳县总工会"


def test_an_enterprise_bureau_is_an_enterprise() -> None:
    text = ArticleText.of(
        "", ["一年来,在局党委、行政的领导下,我局工会围绕供电企业安全生产、经营管理开展工作,班组建设扎实。"]
    )
    assert org_level(text)[0] == "企业厂矿"  # type: ignore[index]


def test_a_union_inside_a_youth_league_office_is_a_union() -> None:
    text = ArticleText.of("团县委工会工作总结", ["团县委工会组织会员开展活动,工会会员积极参加,工会经费使用规范。"])
    assert org_type(text) == "工会"
    women = ArticleText.of("镇妇联上半年工作总结", ["镇妇联组织妇女开展巾帼建功活动,妇联干部深入各村。"])
    assert org_type(women) == "妇联"


def test_townships_need_to_act_or_recur() -> None:
    assert places.township("枫林镇工会组织职工培训。", "乡镇街道") == "枫林镇"
    assert places.township("向外地某县某镇采购大米一批。", "乡镇街道") is None
    # A county report that lists its towns names none of them.
    assert places.township("枫林镇工会、石桥镇工会表现突出。", "县区") is None


def test_the_title_year_is_only_a_label() -> None:
    text = ArticleText.of("2024年工会工作总结", ["20xx年,我校工会在学校党支部领导下开展工作。"])
    assert year(text) is None
    assert year_label(text.title) == 2024


def test_the_body_year_wins_over_a_contradicting_title() -> None:
    text = ArticleText.of("2023年局机关工会上半年工作总结", ["2019年上半年,局机关工会在局党组的领导下开展工作。"])
    assert year(text) == (2019, "text")


def test_a_blanked_opening_year_discards_a_stray_year_later() -> None:
    text = ArticleText.of("", ["20xx年度我镇工会工作在上级工会的指导下开展。", "2015年度,工会组织了篮球赛。"])
    assert year(text) is None


def test_period_by_evidence_with_the_title_as_one_vote() -> None:
    trap = ArticleText.of(
        "工会半年度工作总结", ["今年是重要的一年,一年来我乡工会做了以下工作。", "在一年的工作中,全年共慰问职工80人次。"]
    )
    assert period(trap)[0] == "全年"  # type: ignore[index]
    half = ArticleText.of("", ["半年来,我厂工会做了以下工作。", "下半年工作打算:继续抓好建会。"])
    assert period(half)[0] == "上半年"  # type: ignore[index]
    assert period(ArticleText.of("", ["我们组织职工学习。"])) is None
    term = ArticleText.of("", ["上届工会委员会任期五年来,在公司党委领导下做了以下工作。"])
    assert period(term)[0] == "其他"  # type: ignore[index]


def test_genre_classifiers() -> None:
    speech = ArticleText.of("", ["各位代表、同志们:", "过去一年,全市各级工会取得了新成绩。"])
    assert doc_type(speech)[0] == "讲话"
    news = ArticleText.of(
        "", ["日前,青禾镇总工会开展送温暖活动。1月9日上午,镇总工会负责人走访困难职工。据统计,共发放慰问金2万元。"]
    )
    assert doc_type(news)[0] in ("新闻", "活动总结")
    notice = ArticleText.of("关于报送工会工作总结的通知", ["请各分工会于12月10日前报送总结。特此通知。"])
    assert doc_type(notice)[0] == "其他"
    summary = ArticleText.of("工会工作计划范文", ["回顾上半年工作,主要有以下几个方面:共组织培训5次,慰问职工30户。"])
    assert doc_type(summary)[0] == "总结"


def test_a_title_is_what_its_last_genre_word_names() -> None:
    body = ["青禾镇总工会组织开展了活动。"]
    assert title_heads(ArticleText.of("关于报送2024年工作总结和2025年工作计划的通知", body)) == {"其他"}
    assert title_heads(ArticleText.of("青禾镇总工会开展春节送温暖活动", body)) == {"新闻"}
    assert title_heads(ArticleText.of("青禾镇总工会开展春节送温暖活动总结", body)) == {"活动总结", "总结"}
    # Two documents joined by 及/暨: each part names one.
    assert title_heads(ArticleText.of("公司工会2024年工作总结暨2025年工作计划", body)) == {"总结", "计划"}


def test_every_mechanism_reads_folded_text() -> None:
    values = _infer("", "今年以來,青禾鎮工會(huì)在鎮黨委的領導下開展工作。青禾鎮工會組織全鎮職工培訓。")
    assert values["org_name"] == "青禾镇工会"
    assert values["org_level"] == "乡镇街道"
