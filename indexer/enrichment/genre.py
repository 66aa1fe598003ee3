"""What kind of document an article is: 总结 · 活动总结 · 计划 · 讲话 · 新闻 · 其他.

Archives mix summaries with plans, speeches, news items, notices and tables. Each kind
has cue families in indexer/data/facets.toml ([doc_type.title], [doc_type.body]); the
kinds are scored and a summary is assumed unless another kind is clearly stronger.
"""

from __future__ import annotations

from indexer.enrichment.evidence import ArticleText
from indexer.enrichment.rules import facet_rules

SUMMARY = "总结"
PLAN = "计划"


def doc_type_scores(text: ArticleText) -> dict[str, float]:
    """Each kind's score: its title cues (once) and its body cues (capped per cue)."""
    rules = facet_rules()["doc_type"]
    weights = rules["weights"]
    cap = int(weights["cap"])
    scores: dict[str, float] = {}
    for value in set(rules["title"]) | set(rules["body"]):
        score = 0.0
        title_family = rules["title"].get(value)
        if title_family is not None and title_family.hits(text.heads):
            score += float(weights["title"])
        body_family = rules["body"].get(value)
        if body_family is not None:
            score += float(weights["body"]) * body_family.score(text.body, cap)
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
        title_family = rules["title"].get(best)
        from_title = title_family is not None and title_family.hits(text.heads)
        return best, "title" if from_title else "text"
    return str(rules["default"]), "text"
