"""Blanked spots left where a template site removed names, years and numbers."""

from __future__ import annotations

import re

# XX, xx, ××, ***, 20xx, 202_, 20__ — what template sites put in place of names and years.
_BLANKS = re.compile(r"(?:19|20)(?:[xX×]{2}|\d_|__)|[xX]{2,}|×{2,}|\*{2,}|_{2,}")
# Every blank contains one of these; most paragraphs contain none, and finding that out
# is cheaper than trying _BLANKS at every digit.
_BLANK_CHARS = re.compile(r"[xX×*_]")
_NUMERALS = "0123456789一二三四五六七八九十百千万亿两几多余数每各某本全该此第半"
# A measure word straight after a word, with no number in between: 共有媒体宣传次，
# The measure word leads the pattern (its context is checked by looking back over it),
# so the scan jumps from one candidate character to the next.
_SLOT = re.compile(rf"(次|篇|户|元|件)(?<=[\u4e00-\u9fff].)(?<![{_NUMERALS}].)(?=[，。、；,;)）\u4e00-\u9fff])")
_NOT_SLOTS = frozenset(
    [
        "这次",
        "其次",
        "再次",
        "层次",
        "首次",
        "名次",
        "多次",
        "屡次",
        "历次",
        "依次",
        "档次",
        "批次",
        "班次",
        "车次",
        "席次",
        "文件",
        "条件",
        "事件",
        "案件",
        "软件",
        "硬件",
        "证件",
        "稿件",
        "邮件",
        "配件",
        "部件",
        "物件",
        "信件",
        "主张",
        "紧张",
        "扩张",
        "开张",
        "伸张",
        "慌张",
        "单元",
        "公元",
        "美元",
        "大家",
        "国家",
        "专家",
        "全家",
        "回家",
        "农家",
        "商家",
        "人家",
        "作家",
        "居家",
        "厂家",
        "东家",
        "在家",
        "成家",
        "安家",
        "住户",
        "用户",
        "农户",
        "客户",
        "门户",
        "账户",
        "落户",
        "入户",
        "困难户",
        "贫困户",
        "长篇",
        "短篇",
        "诗篇",
        "开篇",
        "通篇",
        "上篇",
        "下篇",
        "专家",
        "企业家",
        "科学家",
        "艺术家",
        "一家",
        "娘家",
        "婆家",
        "管家",
        "当家",
        "老家",
        "行家",
        "名家",
        "儿女",
        "千家",
        "万户",
        "元旦",
        "元宵",
        "纸张",
        "张贴",
        "张扬",
        "件事",
        "家庭",
        "家属",
        "家长",
        "家园",
        "家人",
        "家乡",
        "家具",
        "家务",
        "家访",
        "户口",
        "户籍",
        "次数",
        "次日",
        "次年",
        "篇章",
        "篇幅",
        "元素",
        "元老",
        "人次",
        "每次",
        "次次",
        "两次",
        "几次",
    ]
)
_NOT_SLOTS_3 = tuple(w for w in _NOT_SLOTS if len(w) == 3)


def find_placeholders(text: str) -> list[str]:
    """The blanked spots in ``text``: placeholder tokens as written, empty slots as "宣传_次"."""
    found = [m.group(0) for m in _BLANKS.finditer(text)] if _BLANK_CHARS.search(text) else []
    for match in _SLOT.finditer(text):
        start, end = match.start(), match.end()
        before, word = text[start - 1], match.group(0)
        after = text[end : end + 1]
        if before + word in _NOT_SLOTS or word + after in _NOT_SLOTS:
            continue
        if any(w in text[max(0, start - 2) : end + 2] for w in _NOT_SLOTS_3):
            continue
        found.append(f"{before}_{word}")
    return found
