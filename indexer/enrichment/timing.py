"""The year and period an article reports on, by the weight of its evidence.

The title's year is what the page claims (``year_label``): template sites stamp the
current year on old texts, so it never passes as the year. The year comes from the
body's report cues (2021年以来, 2021年上半年, 2021年度 …), and a body that blanks its
year (20xx年, ___年度) has none. The period is a vote of cue families in the body,
with the title as one more vote; 未知 when there is no evidence, apart from 其他.
"""

from __future__ import annotations

from collections import Counter

from indexer.enrichment.evidence import ArticleText
from indexer.enrichment.rules import facet_rules

UNKNOWN_PERIOD = "未知"
OTHER_PERIOD = "其他"


def year_label(title: str) -> int | None:
    """The year the (folded) title claims, or None when it names none or blanks it."""
    rules = facet_rules()["year"]
    match = rules["label"].search(title)
    if not match or rules["blank"].search(title[: match.start()]):
        return None
    return int(match.group("y"))


def _report_years(body: str) -> Counter[int]:
    """Each year the body reports on, with its number of report cues."""
    rules = facet_rules()["year"]
    planned = {m.start("y") for m in rules["plan"].finditer(body)}
    votes: Counter[int] = Counter()
    seen: set[int] = set()
    for pattern in rules["report"]:
        for match in pattern.finditer(body):
            at = match.start("y")
            if at in planned or at in seen:
                continue
            seen.add(at)
            votes[int(match.group("y"))] += 1
    return votes


def year(text: ArticleText) -> tuple[int, str] | None:
    """(year, "text") when the body states the year it reports on; None when it blanks it or says nothing.

    Where the body names several report years, the most cited wins; a body that
    blanks its year more often than it states one has no credible year.
    """
    votes = _report_years(text.text_only)
    if not votes:
        return None
    rules = facet_rules()["year"]
    opening = text.text_only[: len(text.opening)]
    blank = rules["blank"].search(opening)
    first = min((m.start("y") for p in rules["report"] for m in p.finditer(opening)), default=len(opening))
    if blank is not None and blank.start() < first:
        return None  # the opening blanks the report year: a stray year later is a template's remnant
    blanks = sum(1 for _ in facet_rules()["year"]["blank"].finditer(text.text_only))
    best, _ = max(votes.items(), key=lambda item: (item[1], -item[0]))
    if blanks > 2 * sum(votes.values()):
        return None
    return best, "text"


def period(text: ArticleText, doc_type: str | None = None) -> tuple[str, str] | None:
    """(period, origin) by a vote of the body's cue families and the title; None without evidence.

    An activity summary reports on its event (其他); a news item too, unless it reports
    on a half-year or whole-year summary.
    """
    rules = facet_rules()["period"]
    scores: dict[str, float] = {}
    title_votes: dict[str, float] = {}
    for value, fam in rules["cues"].items():
        scores[value] = fam.score(text.body, 4, text.body_counts) * float(rules["weights"].get(value, 1.0))
    for value, fam in rules["title"].items():
        if fam.hits(text.heads):
            title_votes[value] = rules["title_weight"]
            scores[value] = scores.get(value, 0.0) + rules["title_weight"]
    if doc_type == "活动总结":
        return OTHER_PERIOD, "text"
    best, score = max(scores.items(), key=lambda item: item[1])
    if score <= 0:
        return (OTHER_PERIOD, "text") if doc_type == "新闻" else None
    if doc_type == "新闻" and score < 1.0:
        return OTHER_PERIOD, "text"
    origin = "title" if title_votes.get(best, 0.0) * 2 > score else "text"
    return best, origin
