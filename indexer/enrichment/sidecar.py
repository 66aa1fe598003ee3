"""Sidecar metadata: a ``metadata.csv`` in an archive folder overrides inference.

Columns: ``file`` (a path relative to the CSV's folder, or a glob such as
``东山镇/*.docx``), optional ``title`` (only articles with that title), and
any of the correctable facets of the registry (engine/data/facets.toml:
``doc_type, org_type, org_level, township, org_name, period, year``). Empty
cells change nothing.

When several rows set the same value, the most specific row wins: a row
naming this very file beats a glob, a row naming the article's title beats
one for the whole file, and only then does the nearest CSV (innermost
folder) come first, then the earlier row. That is what lets a correction
made in the portal (an exact file + title row in the archive's top
metadata.csv, see indexer.corrections) win over a folder-wide glob.
"""

from __future__ import annotations

import csv
import fnmatch
import glob
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine import facets as registry

SIDECAR_NAME = "metadata.csv"
#: Override columns: every facet a person may correct, in the registry's order.
FIELDS: tuple[str, ...] = tuple(f.field for f in registry.correctable())


class SidecarError(ValueError):
    """A sidecar file that cannot be used, with the reason."""


@dataclass(frozen=True)
class SidecarRow:
    """One override row."""

    pattern: str
    title: str
    values: tuple[tuple[str, str], ...]


@lru_cache(maxsize=256)
def _load(csv_path: Path, stamp: tuple[int, int]) -> tuple[SidecarRow, ...]:
    # ``stamp`` (mtime in ns, size) is only the cache key: an edited file is read again.
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


def load_rows(csv_path: Path) -> tuple[SidecarRow, ...]:
    """The rows of one metadata.csv (cached until the file changes)."""
    stat = csv_path.stat()
    return _load(csv_path, (stat.st_mtime_ns, stat.st_size))


def is_exact(pattern: str, relative: str) -> bool:
    """True when ``pattern`` names exactly the file ``relative`` (literally or glob-escaped)."""
    return pattern == relative or pattern == glob.escape(relative)


def sidecar_overrides(path: Path, title: str, root: Path | None = None, *, also_title: str = "") -> dict[str, str]:
    """Override values for one article of ``path``, from every metadata.csv above it.

    A row with a title applies when it equals ``title`` (as the file titles the
    article) or ``also_title`` (as the index shows it).
    """
    # Plain strings and os.path: asked for every article, where pathlib's objects cost
    # several times the few system calls that find the folders' metadata.csv files.
    resolved = os.path.realpath(path)
    stop = os.path.realpath(root) if root else None
    titles = {t for t in (title, also_title) if t}
    ranked: list[tuple[tuple[int, int, int, int], SidecarRow]] = []
    folder = os.path.dirname(resolved)
    depth = 0
    while True:
        csv_path = os.path.join(folder, SIDECAR_NAME)
        if os.path.isfile(csv_path):
            relative = resolved[len(os.path.join(folder, "")) :]  # the file's path below the folder
            for index, row in enumerate(load_rows(Path(csv_path))):
                if row.title and row.title not in titles:
                    continue
                exact = is_exact(row.pattern, relative)
                if not (exact or fnmatch.fnmatch(relative, row.pattern)):
                    continue
                ranked.append(((0 if exact else 1, 0 if row.title else 1, depth, index), row))
        parent = os.path.dirname(folder)
        if folder == stop or parent == folder:
            break
        folder = parent
        depth += 1
    overrides: dict[str, str] = {}
    for _, row in sorted(ranked, key=lambda item: item[0]):
        for name, value in row.values:
            overrides.setdefault(name, value)
    return overrides
