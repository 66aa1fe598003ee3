"""What kind of document an article is: 总结 · 活动总结 · 计划 · 讲话 · 新闻 · 其他.

Archives mix summaries with plans, speeches, news items, notices and tables. Each kind
has cue families in indexer/data/facets.toml ([doc_type.title], [doc_type.body]); the
kinds are scored and a summary is assumed unless another kind is clearly stronger.
"""

from __future__ import annotations

import re

from indexer.enrichment.evidence import ArticleText
from indexer.enrichment.rules import facet_rules

SUMMARY = "总结"
_COORDINATION = re.compile(r"及|暨|以及|和|与|并")
_OF_HEAD = re.compile(r"的[^的]{1,6}$")
PLAN = "计划"


def title_heads(text: ArticleText) -> set[str]:
    """The kinds a title names by its head: the genre word that comes last.

    A Chinese title ends in what the document is: "关于报送工作总结和工作计划的通知"
    is a notice, "开展送温暖活动总结" an activity summary, "开展送温暖活动" news.
    Each title line votes for the kinds whose cue ends last in it.
    """
    families = facet_rules()["doc_type"]["title"]
    heads: set[str] = set()
    for line in text.heads.split("\n"):
        # "…工作总结及下半年工作思路": each part joined by 及/暨/和 names the document, unless the
        # whole is "关于…的通知" (the last part is introduced by 的).
        parts = [line] if _OF_HEAD.search(line) else _COORDINATION.split(line)
        for part in parts:
            ends = {value: family.last_end(part) for value, family in families.items()}
            last = max(ends.values(), default=-1)
            if last >= 0:
                heads.update(value for value, end in ends.items() if end == last)
    return heads


def doc_type_scores(text: ArticleText) -> dict[str, float]:
    """Each kind's score: its title cues (once) and its body cues (capped per cue)."""
    rules = facet_rules()["doc_type"]
    weights = rules["weights"]
    cap = int(weights["cap"])
    scores: dict[str, float] = {}
    heads = title_heads(text)
    for value in dict.fromkeys([*rules["title"], *rules["body"]]):  # file order: ties never depend on hashing
        score = 0.0
        if value in heads:
            score += float(weights["title"])
        body_family = rules["body"].get(value)
        if body_family is not None:
            score += float(weights["body"]) * body_family.score(text.body, cap, text.body_counts)
        scores[value] = score
    return scores


def doc_type(text: ArticleText) -> tuple[str, str]:
    """(kind, origin): the strongest kind when it beats 总结 and reaches the minimum, else 总结.

    A plan and a summary share their future-tense cues (将继续, 要进一步): a plan wins
    only when the past work it reports is small beside what it announces.
    """
    rules = facet_rules()["doc_type"]
    scores = doc_type_scores(text)
    summary = scores.pop(SUMMARY, 0.0) * float(rules["weights"]["summary"])
    plan_ratio = float(rules["weights"]["plan_needs_less_past_than"])
    if scores.get(PLAN, 0.0) and summary > plan_ratio * scores[PLAN]:
        scores[PLAN] = 0.0
    best, score = max(scores.items(), key=lambda item: item[1]) if scores else (SUMMARY, 0.0)
    if score >= rules["minimum"] and score > summary:
        return best, "title" if best in title_heads(text) else "text"
    return str(rules["default"]), "text"
