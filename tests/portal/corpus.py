"""A few hand-made paragraphs added to the sample corpus for the portal tests.

The samples have no years and no markup, so these add what the tests need
to see: years (for the year sort and the overview chart), an exact
duplicate across two articles (for collapse), text and titles that
contain HTML (for escaping), and genres (a: 总结 · 工会, b: 活动总结 · 工会,
c: 讲话 · 妇联). They are clearly synthetic (测试镇, 晨曦计划).
"""

from __future__ import annotations

from engine.contract import IndexDocument

SOURCE = "fixtures/portal-synthetic.txt"
DUPLICATE_KEY = "dup-chenxi"
DUPLICATE_TEXT = "今年开展晨曦计划送温暖活动，走访慰问困难职工120户，发放慰问金8万元。"
SCRIPT_TEXT = "<script>alert('xss')</script> 注入检验段落：<b>粗体</b> & “引号”。"
HTML_TITLE = "<i>斜体</i>测试镇工会2021年工作总结"


def _doc(article: str, position: int, text: str, **fields: object) -> IndexDocument:
    base: dict[str, object] = {
        "title": "测试镇工会2022年工作总结",
        "source_path": SOURCE,
        "source_sha256": "0" * 64,
        "org_level": "乡镇街道",
        "org_name": "测试镇总工会",
        "township": "测试镇",
        "period": "全年",
        "year": 2022,
        "quality": 0.8,
        "doc_type": "总结",
        "org_type": "工会",
    }
    base.update(fields)
    return IndexDocument(
        paragraph_id=f"{article}-{position:04d}",
        article_id=article,
        position=position,
        text=text,
        **base,  # type: ignore[arg-type]
    )


def synthetic_documents() -> list[IndexDocument]:
    """Three small articles (2021, 2022, 2023) in the fictional 测试镇."""
    a, b, c = "fixture0000000a", "fixture0000000b", "fixture0000000c"
    return [
        _doc(a, 0, "一、困难帮扶工作", is_heading=True),
        _doc(
            a,
            1,
            DUPLICATE_TEXT,
            section_path=("一、困难帮扶工作",),
            topics=("困难帮扶与送温暖",),
            duplicate_key=DUPLICATE_KEY,
        ),
        _doc(
            a,
            2,
            "晨曦计划还为困难职工子女提供助学金，晨曦计划覆盖全镇。",
            section_path=("一、困难帮扶工作",),
            topics=("困难帮扶与送温暖",),
        ),
        _doc(a, 3, "二、工资集体协商", is_heading=True),
        _doc(
            a,
            4,
            "全镇推行工资集体协商，签订区域性工资专项集体合同12份。",
            section_path=("二、工资集体协商",),
            topics=("工资集体协商",),
        ),
        _doc(
            b,
            0,
            DUPLICATE_TEXT,
            title="测试镇工会2023年上半年工作总结",
            year=2023,
            period="上半年",
            topics=("困难帮扶与送温暖",),
            duplicate_key=DUPLICATE_KEY,
            doc_type="活动总结",
        ),
        _doc(
            b,
            1,
            "组织职工开展技能比武，晨曦计划技能培训班结业学员60人。",
            title="测试镇工会2023年上半年工作总结",
            year=2023,
            period="上半年",
            topics=("劳动竞赛与技能创新",),
            doc_type="活动总结",
        ),
        _doc(
            c, 0, SCRIPT_TEXT, title=HTML_TITLE, year=2021, topics=("宣传教育与学习",), doc_type="讲话", org_type="妇联"
        ),
        _doc(
            c,
            1,
            "开展职工书屋建设，工资集体协商宣传进企业。",
            title=HTML_TITLE,
            year=2021,
            topics=("宣传教育与学习", "工资集体协商"),
            doc_type="讲话",
            org_type="妇联",
        ),
    ]
