"""How the search box's text was read, said back to the user when it was not taken literally.

engine.query never fails: an unbalanced quote becomes plain words, a lone
``-`` or a dangling ``OR`` is dropped. That is right for the engine, but a
user who typed ``"工资集体协商`` should be told the phrase was not searched
as a phrase, and one who typed only ``-`` that nothing was searched at all.
"""

from __future__ import annotations

import re

from engine.query import ParsedQuery, parse_query

_QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("「", "」"), ("『", "』"))
_LONE_MINUS = re.compile(r"(?:^|\s)[-－—−]+(?=\s|$)")
_DANGLING_OR = re.compile(r"(?:^\s*OR\b)|(?:\bOR\s*$)")


def describe(parsed: ParsedQuery) -> str:
    """The query as the engine understood it, in words: 须包含 A、B；任一 C 或 D；排除 E."""
    parts: list[str] = []
    single = [c.alternatives[0] for c in parsed.required if len(c.alternatives) == 1]
    if single:
        parts.append("须包含 " + "、".join(f"「{t.text}」" for t in single))
    for clause in parsed.required:
        if len(clause.alternatives) > 1:
            parts.append("任一 " + " 或 ".join(f"「{t.text}」" for t in clause.alternatives))
    if parsed.excluded:
        parts.append("排除 " + "、".join(f"「{t.text}」" for t in parsed.excluded))
    return "；".join(parts)


def reading_notes(raw: str, parsed: ParsedQuery | None = None) -> list[str]:
    """Sentences telling how ``raw`` was read, for each thing not taken as typed (empty when all was).

    ``parsed`` is ``raw`` as already parsed for the search (parsed here when not given).
    """
    text = raw.strip()
    if not text:
        return []
    parsed = parsed if parsed is not None else parse_query(text)
    notes: list[str] = []
    normalised = text.replace("＂", '"')
    for opening, closing in _QUOTE_PAIRS:
        unbalanced = (
            normalised.count(opening) % 2
            if opening == closing
            else normalised.count(opening) != normalised.count(closing)
        )
        if unbalanced:
            notes.append(
                f"引号 {opening}{closing if closing != opening else ''} 没有成对，已按普通词语检索（不作为完整短语）。"
            )
            break
    if _LONE_MINUS.search(text):
        notes.append("单独的减号 - 没有跟着词语，已忽略（排除某词请写成 -词语，中间不留空格）。")
    if _DANGLING_OR.search(text):
        notes.append("OR 两边都需要词语，多余的 OR 已忽略。")
    if parsed.is_empty:
        notes.append("检索框中没有可以检索的文字，下面按年份列出全部段落。")
    elif not parsed.required:
        notes.append("只有排除的词语，没有要找的词语，下面按年份列出其余全部段落。")
    if notes and not parsed.is_empty:
        notes.append(f"实际检索：{describe(parsed)}。")
    return notes
