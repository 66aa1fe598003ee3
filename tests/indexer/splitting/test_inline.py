"""Headings run into their body on one line are split only where a sentence follows."""

from __future__ import annotations

import pytest

from indexer.splitting.inline import split_heading_from_body, split_inline


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        ("一、学习劳模 规范管理", ["一、学习劳模 规范管理"]),
        ("（二）关爱职工 温暖人心", ["（二）关爱职工 温暖人心"]),
        (
            "一、学习劳模 规范管理 为弘扬劳模精神，我镇工会组织开展了系列活动。",
            ["一、学习劳模 规范管理", "为弘扬劳模精神，我镇工会组织开展了系列活动。"],
        ),
        ("二、存在问题 一是经费不足，二是人员不够。", ["二、存在问题", "一是经费不足，二是人员不够。"]),
    ],
)
def test_a_heading_is_split_from_its_body_only_when_the_rest_is_a_sentence(line: str, pieces: list[str]) -> None:
    assert split_heading_from_body(line) == pieces


def test_enumerators_inside_a_joined_paragraph_start_new_lines() -> None:
    line = "全年开展了三项工作。一是建会入会；二是困难帮扶；三是劳动竞赛。"
    assert split_inline([line]) == ["全年开展了三项工作。", "一是建会入会；", "二是困难帮扶；", "三是劳动竞赛。"]
