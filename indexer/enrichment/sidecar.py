"""Sidecar metadata: a ``metadata.csv`` in an archive folder overrides inference.

Columns: ``file`` (a path relative to the CSV's folder, or a glob such as
``东山镇/*.docx``), optional ``title`` (only articles with that title), and
any of ``org_level, org_name, township, period, year``. Empty cells change
nothing. The nearest CSV (innermost folder) is consulted first.
"""

from __future__ import annotations

import csv
import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SIDECAR_NAME = "metadata.csv"
FIELDS = ("org_level", "org_name", "township", "period", "year")


class SidecarError(ValueError):
    """A sidecar file that cannot be used, with the reason."""


@dataclass(frozen=True)
class SidecarRow:
    """One override row."""

    pattern: str
    title: str
    values: tuple[tuple[str, str], ...]


@lru_cache(maxsize=256)
def _load(csv_path: Path, mtime: float) -> tuple[SidecarRow, ...]:
    rows: list[SidecarRow] = []
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "file" not in reader.fieldnames:
            raise SidecarError(f"{csv_path}: the first row must name the columns, including 'file'")
        for row in reader:
            values = tuple((f, (row.get(f) or "").strip()) for f in FIELDS if (row.get(f) or "").strip())
            if row.get("file"):
                rows.append(SidecarRow(row["file"].strip(), (row.get("title") or "").strip(), values))
    return tuple(rows)


def sidecar_overrides(path: Path, title: str, root: Path | None = None) -> dict[str, str]:
    """Override values for one article of ``path``, from every metadata.csv above it."""
    path = path.resolve()
    stop = root.resolve() if root else None
    overrides: dict[str, str] = {}
    folder = path.parent
    while True:
        csv_path = folder / SIDECAR_NAME
        if csv_path.is_file():
            relative = path.relative_to(folder).as_posix()
            for row in _load(csv_path, csv_path.stat().st_mtime):
                if (row.title and row.title != title) or not (
                    relative == row.pattern or fnmatch.fnmatch(relative, row.pattern)
                ):
                    continue
                for name, value in row.values:
                    overrides.setdefault(name, value)
        if folder == stop or folder.parent == folder:
            break
        folder = folder.parent
    return overrides
