"""Facets that the archive's folder names reveal: 东山镇/2023年上半年工会工作总结.docx."""

from __future__ import annotations

import re
from pathlib import PurePath

_TOWNSHIP = re.compile(r"^(?:\d+[_\-. ]*)?([\u4e00-\u9fff]{2,4}?(?:镇|乡|街道))(?![\u4e00-\u9fff]*(?:乡镇|城乡))")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|$|[_\-. ])")
_NOT_TOWNSHIPS = ("乡镇", "城乡", "城镇", "村镇")


def _parts(path: PurePath) -> list[str]:
    return [*path.parent.parts, path.stem]


def township_from_path(path: PurePath) -> str | None:
    """A folder or file name that starts with a township name (innermost wins)."""
    for part in reversed(_parts(path)):
        match = _TOWNSHIP.match(part)
        if match and not any(bad in match.group(1) for bad in _NOT_TOWNSHIPS):
            return match.group(1)
    return None


def year_from_path(path: PurePath) -> int | None:
    """A year (2023, 2023年) in the file name or a folder name (innermost wins)."""
    for part in reversed(_parts(path)):
        match = _YEAR.search(part)
        if match:
            return int(match.group(1))
    return None


def period_from_path(path: PurePath) -> str | None:
    """上半年 / 下半年 / 全年 named in the file name or a folder name."""
    for part in reversed(_parts(path)):
        if "下半年" in part:
            return "下半年"
        if "上半年" in part or "半年" in part:
            return "上半年"
        if re.search(r"年度|全年|年终", part):
            return "全年"
    return None
