"""Facet corrections made by a person, kept as sidecar rows so every re-ingest applies them.

A correction is a row of the archive's top ``metadata.csv`` keyed by the
file's path relative to the archive and the article's title (see
indexer.enrichment.sidecar for how rows are matched and ranked). Writing it
is the only thing done here; re-reading the file so the correction shows is
the caller's job (``indexer.ingest.ingest_files(..., force=True)``).

The CSV stays a file people edit by hand (often in Excel), so the writer
keeps every other row and column as it found them, writes UTF-8 with a BOM
as Excel expects, replaces the file atomically, and refuses values Excel
would run as a formula.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import glob
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path

from engine import facets as registry
from indexer.enrichment.sidecar import FIELDS, SIDECAR_NAME, is_exact

#: Free-text facets (township, org_name) longer than this are typing accidents.
MAX_TEXT_LENGTH = 60
#: A cell starting with one of these is a formula to Excel (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: ASCII digits only: ``\d`` would also take full-width ２０２３ or Arabic-Indic digits into metadata.csv.
_YEAR = re.compile(r"^[0-9]{4}$")
_HEADER = ("file", "title", *FIELDS)
#: The registry's declaration behind each column (label for messages, vocabulary to check).
_FACETS = {f.field: f for f in registry.correctable()}


class CorrectionError(ValueError):
    """A correction that cannot be stored; the message says why, in Chinese, for the user."""


def validate_values(values: Mapping[str, str]) -> dict[str, str]:
    """Check submitted facet values (``""`` = no override); return them trimmed.

    Raises CorrectionError naming the first bad field.
    """
    clean: dict[str, str] = {}
    for name, raw in values.items():
        if name not in FIELDS:
            raise CorrectionError(f"不能修改字段 {name[:20]}")
        value = unicodedata.normalize("NFC", raw or "").strip()
        facet = _FACETS[name]
        label = facet.label
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
            raise CorrectionError(f"{label}含有控制字符")
        if value.startswith(_FORMULA_STARTS):
            raise CorrectionError(f"{label}不能以 = + - @ 开头")
        if len(value) > MAX_TEXT_LENGTH:
            raise CorrectionError(f"{label}过长：最多 {MAX_TEXT_LENGTH} 个字符")
        if value and facet.closed and value not in facet.values:
            raise CorrectionError(f"{label}只能是：{'、'.join(facet.values)}")
        if facet.kind == "year":
            value = unicodedata.normalize("NFKC", value)  # full-width ２０２３ → 2023, typed on a Chinese IME
        if value and facet.kind == "year" and not (_YEAR.match(value) and 1900 <= int(value) <= 2100):
            raise CorrectionError(f"{label}应为 1900 到 2100 之间的四位数字")
        clean[name] = value
    return clean


def sidecar_pattern(archive: Path, file: Path) -> str:
    """The ``file`` cell naming exactly ``file``: its path relative to the archive, glob characters escaped."""
    try:
        relative = file.resolve().relative_to(archive.resolve()).as_posix()
    except ValueError as exc:
        raise CorrectionError("源文件不在档案文件夹中，无法记录修改") from exc
    # A name like 总结[2023].docx would otherwise be read back as a glob.
    return glob.escape(relative) if glob.has_magic(relative) else relative


@contextlib.contextmanager
def _locked(csv_path: Path) -> Iterator[None]:
    """Serialise writers of one CSV (several portal workers may save at once)."""
    lock_path = csv_path.with_name(f".{csv_path.name}.lock")
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(csv_path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not csv_path.exists():
        return list(_HEADER), []
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorrectionError(f"{SIDECAR_NAME} 不是 UTF-8 编码，请先另存为 UTF-8 再在门户中修改") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    if "file" not in header:
        raise CorrectionError(f"{SIDECAR_NAME} 的第一行必须是列名，且包含 file 列")
    rows = [{k: v or "" for k, v in row.items() if k is not None} for row in reader]
    header += [column for column in _HEADER if column not in header]
    return header, rows


def _write(csv_path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write to a temporary file beside the CSV, then rename over it: never half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{csv_path.name}.", dir=csv_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        if csv_path.exists():
            os.chmod(tmp, csv_path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, csv_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def record_correction(archive: Path, file: Path, title: str, changes: Mapping[str, str]) -> dict[str, str]:
    """Set (or, with ``""``, clear) override cells of the row for ``file`` + ``title``; return the row.

    Fields not in ``changes`` keep what the row had. A row left with no
    override at all is removed. Raises CorrectionError for bad values or an
    unusable metadata.csv.
    """
    values = validate_values(changes)
    csv_path = archive / SIDECAR_NAME
    pattern = sidecar_pattern(archive, file)
    relative = file.resolve().relative_to(archive.resolve()).as_posix()
    title = title.strip()  # the sidecar reader strips cells, so the key must be stripped too
    # Title and path come from the documents themselves: never let one become an Excel formula.
    if title.startswith(_FORMULA_STARTS) or pattern.startswith(_FORMULA_STARTS):
        raise CorrectionError("文章标题或文件名以 = + - @ 开头，不能安全写入 metadata.csv，请直接编辑该文件")
    with _locked(csv_path):
        header, rows = _read(csv_path)
        row = next(
            (r for r in rows if is_exact(r.get("file", "").strip(), relative) and r.get("title", "").strip() == title),
            None,
        )
        if row is None:
            row = {column: "" for column in header} | {"file": pattern, "title": title}
            rows.append(row)
        row.update(values)
        if not any(row.get(name, "").strip() for name in FIELDS):
            rows.remove(row)
        _write(csv_path, header, rows)
    return row
