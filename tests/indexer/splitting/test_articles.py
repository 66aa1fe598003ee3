"""Articles: a title or a series marker starts one; debris never stands as an article."""

from __future__ import annotations

from indexer.cleaning.lines import CleanLine
from indexer.splitting import split_articles

BODY = "今年以来，我校工会在学校党总支的领导下，认真履行维护、建设、参与、教育四项职能，各项工作取得了新进展。" * 2


def title(text: str) -> CleanLine:
    return CleanLine(text, is_title=True)


def test_series_markers_and_series_titles_start_articles() -> None:
    lines = [
        title("学校工会工作总结篇一"),
        CleanLine(BODY),
        title("第二篇"),
        CleanLine(BODY),
        title("学校工会工作总结篇三"),
        CleanLine(BODY),
    ]
    drafts = split_articles(lines, "学校工会工作总结")
    assert [d.title for d in drafts] == ["学校工会工作总结篇一", "学校工会工作总结篇一", "学校工会工作总结篇三"]


def test_an_article_with_too_little_body_joins_its_neighbour() -> None:
    # A title with a stray line under it, then the real article: one article, not two.
    lines = [title("学校工会工作总结"), CleanLine("某某中学"), title("学校工会工作总结篇1"), CleanLine(BODY)]
    drafts = split_articles(lines)
    assert len(drafts) == 1
    assert [line.text for line in drafts[0].lines] == ["某某中学", BODY]


def test_a_repeated_title_does_not_rename_the_article() -> None:
    lines = [title("区总工会2023年工作总结"), title("區總工會2023年工作總結"), CleanLine(BODY)]
    assert [d.title for d in split_articles(lines)] == ["区总工会2023年工作总结"]


def test_a_title_run_into_a_series_marker_names_the_series() -> None:
    lines = [CleanLine("县总工会半年工作总结"), CleanLine("篇一：县总工会半年工作总结 " + BODY)]
    drafts = split_articles(lines)
    assert len(drafts) == 1 and drafts[0].title == "县总工会半年工作总结"
